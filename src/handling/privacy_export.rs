//! The export of one person's data as a ZIP: `data.json` (every PAKN, message, answer
//! and file, as data), `index.html` (a readable summary in Vietnamese) and the files
//! under `files/{code}/`.

use std::io::Write as _;

use askama::Template;
use serde::Serialize;
use zip::write::SimpleFileOptions;

use crate::db::personal_data::{File, Message, PersonTicket, Rating, Reply};
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::status::Status;
use crate::i18n::{Lang, Tr};

/// What is exported, loaded in one transaction.
pub struct PersonData {
    pub request_id: i64,
    pub contact: String,
    pub tickets: Vec<PersonTicket>,
    pub messages: Vec<Message>,
    pub replies: Vec<Reply>,
    pub ratings: Vec<Rating>,
    pub files: Vec<File>,
}

#[derive(Serialize)]
struct FileEntry<'a> {
    origin: &'a str,
    filename: &'a str,
    content_type: &'a str,
    size_bytes: usize,
    /// Where it is in the ZIP.
    path: String,
}

#[derive(Serialize)]
struct TicketEntry<'a> {
    #[serde(flatten)]
    ticket: &'a PersonTicket,
    messages: Vec<&'a Message>,
    replies: Vec<&'a Reply>,
    ratings: Vec<&'a Rating>,
    files: Vec<FileEntry<'a>>,
}

#[derive(Serialize)]
struct Document<'a> {
    request_id: i64,
    contact: &'a str,
    exported_at: String,
    tickets: Vec<TicketEntry<'a>>,
}

/// One PAKN in the readable summary.
struct SummaryTicket {
    code: String,
    status: String,
    received: String,
    name: String,
    contact: String,
    address: String,
    title: String,
    content: String,
    messages: Vec<(String, String)>,
    replies: Vec<String>,
    ratings: Vec<String>,
    files: Vec<String>,
}

#[derive(Template)]
#[template(path = "staff/privacy_export.html")]
struct Summary {
    t: Tr,
    contact: String,
    exported: String,
    tickets: Vec<SummaryTicket>,
}

/// A file's name as stored in the ZIP: its id first (two files may share a name),
/// then the name without path separators or control characters.
fn zip_path(code: &str, f: &File) -> String {
    let name: String = f
        .filename
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    format!("files/{code}/{}-{name}", f.id)
}

fn summary(data: &PersonData, t: Tr, exported: &str) -> Summary {
    let tickets = data
        .tickets
        .iter()
        .map(|tk| SummaryTicket {
            code: tk.code.clone(),
            status: Status::parse(&tk.status)
                .map(|s| t.t(&s.label_id()))
                .unwrap_or_else(|| tk.status.clone()),
            received: format_datetime(tk.received_at),
            name: [&tk.full_name, &tk.organization, &tk.representative]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            contact: [Some(tk.phone.clone()), tk.email.clone()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            address: tk.address.clone(),
            title: tk.title.clone(),
            content: tk.content.clone(),
            messages: data
                .messages
                .iter()
                .filter(|m| m.ticket_id == tk.id)
                .filter_map(|m| m.body.clone().map(|b| (format_datetime(m.at), b)))
                .collect(),
            replies: data
                .replies
                .iter()
                .filter(|r| r.ticket_id == tk.id)
                .map(|r| {
                    let head = [
                        r.number_symbol.clone(),
                        r.reply_date.map(format_date),
                        r.signer.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                    if head.is_empty() {
                        r.body.clone()
                    } else {
                        format!("{head}: {}", r.body)
                    }
                })
                .collect(),
            ratings: data
                .ratings
                .iter()
                .filter(|r| r.ticket_id == tk.id)
                .map(|r| {
                    let label = t.t(&format!("rating-{}", r.rating));
                    match &r.comment {
                        Some(c) => format!("{}: {label}. {c}", format_datetime(r.at)),
                        None => format!("{}: {label}", format_datetime(r.at)),
                    }
                })
                .collect(),
            files: data
                .files
                .iter()
                .filter(|f| f.ticket_id == tk.id)
                .map(|f| zip_path(&tk.code, f))
                .collect(),
        })
        .collect();
    Summary {
        t,
        contact: data.contact.clone(),
        exported: exported.to_string(),
        tickets,
    }
}

fn document<'a>(data: &'a PersonData, exported: &str) -> Document<'a> {
    Document {
        request_id: data.request_id,
        contact: &data.contact,
        exported_at: exported.to_string(),
        tickets: data
            .tickets
            .iter()
            .map(|tk| TicketEntry {
                ticket: tk,
                messages: data
                    .messages
                    .iter()
                    .filter(|m| m.ticket_id == tk.id)
                    .collect(),
                replies: data
                    .replies
                    .iter()
                    .filter(|r| r.ticket_id == tk.id)
                    .collect(),
                ratings: data
                    .ratings
                    .iter()
                    .filter(|r| r.ticket_id == tk.id)
                    .collect(),
                files: data
                    .files
                    .iter()
                    .filter(|f| f.ticket_id == tk.id)
                    .map(|f| FileEntry {
                        origin: &f.origin,
                        filename: &f.filename,
                        content_type: &f.content_type,
                        size_bytes: f.data.len(),
                        path: zip_path(&tk.code, f),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The ZIP of `data`, exported at `exported` (dd/mm/yyyy hh:mm, Vietnam time).
pub fn zip(data: &PersonData, exported: &str) -> anyhow::Result<Vec<u8>> {
    let json = serde_json::to_vec_pretty(&document(data, exported))?;
    let html = summary(data, Tr::new(Lang::Vi), exported).render()?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    out.start_file("data.json", opts)?;
    out.write_all(&json)?;
    out.start_file("index.html", opts)?;
    out.write_all(html.as_bytes())?;
    for f in &data.files {
        let code = data
            .tickets
            .iter()
            .find(|t| t.id == f.ticket_id)
            .map(|t| t.code.as_str())
            .unwrap_or("_");
        out.start_file(zip_path(code, f), opts)?;
        out.write_all(&f.data)?;
    }
    Ok(out.finish()?.into_inner())
}
