//! The `borderwatch` binary: a thin front over the library's command line.

/// mimalloc: loading the gazetteer makes about a million small strings, and the system
/// allocator spent more time on them than the parsing did.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(borderwatch::cli::main());
}
