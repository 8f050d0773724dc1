//! Fuzzes JSON and GeoJSON ingest through `borderwatch::ingest::read_bytes`. Input that does
//! not start like JSON is wrapped as a Feature's properties, so mutations spend their time
//! inside the JSON reader rather than falling through to CSV.
#![no_main]

mod check;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let first = data.iter().copied().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'[' | b'{')) {
        check::check("fuzz.geojson", data);
    } else {
        let mut wrapped = br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[70.1,37.2]},"properties":{"date":"2025-11-26","location":"#.to_vec();
        wrapped.extend_from_slice(data);
        wrapped.extend_from_slice(b"}}]}");
        check::check("fuzz.geojson", &wrapped);
    }
});
