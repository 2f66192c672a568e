//! Enums stored as their text code (a column with a `CHECK (x IN (...))`): each lists
//! its values once in [`Code::ALL`] with their codes, and gets `parse` for free. The
//! database boundary (`db::types`) reads and writes them through this trait, refusing
//! an unknown code instead of guessing.

pub trait Code: Sized + Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];

    /// The code stored in the database and used in forms and message ids.
    fn as_str(self) -> &'static str;

    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == code)
    }
}

/// Declares an enum stored as text: its variants with their codes, `Code`, and the
/// diesel derives that let `db::types` map it to a `Text` column.
#[macro_export]
macro_rules! text_code {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $crate::domain::code::Code for $name {
            const ALL: &'static [Self] = $name::ALL;
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                <Self as $crate::domain::code::Code>::as_str(self)
            }
            pub fn parse(code: &str) -> Option<Self> {
                <Self as $crate::domain::code::Code>::parse(code)
            }

            /// The message id `<prefix>-<code>` (underscores as hyphens).
            pub fn message_id(self, prefix: &str) -> String {
                format!("{prefix}-{}", self.as_str().replace('_', "-"))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
