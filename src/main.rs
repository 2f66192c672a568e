use std::process::ExitCode;

fn main() -> ExitCode {
    pakn::cli::main()
}
