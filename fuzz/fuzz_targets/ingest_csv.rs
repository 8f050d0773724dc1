//! Fuzzes CSV ingest (native, ACLED, UCDP, GTD headers; any delimiter and encoding) through
//! `borderwatch::ingest::read_bytes`. Seed it with `tests/data/bad` and `tests/data/ingest`.
#![no_main]

mod check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check::check("fuzz.csv", data);
});
