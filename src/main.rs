//! The `borderflow` command: parse, run, map errors to exit codes.

fn main() {
    std::process::exit(borderflow::cli::main());
}
