//! The `borderwatch` binary: a thin front over the library's command line.

fn main() {
    std::process::exit(borderwatch::cli::main());
}
