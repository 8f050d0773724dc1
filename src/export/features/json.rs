//! The JSON pieces a feature is written from: keys, texts and numbers, each written as
//! serde_json writes it, copied in blocks of a fixed size where they are short (see
//! [`append_block`]).

/// A property's key as written, `,"name":`, kept so that writing it is a copy of a fixed
/// size: a copy of the key's own length is a call to `memcpy`, one per property, about
/// forty per incident. On the peer's million (`perf`, `run`, samples by call site), the
/// formatting's calls to `memcpy` took 0.23 s; with the keys copied as blocks, 0.08 s.
pub(super) struct Key {
    /// The key, then zeros, when it fits in [`Key::BLOCK`] bytes; else zeros only.
    block: [u8; Key::BLOCK],
    /// The key itself.
    text: String,
}

impl Key {
    /// Bytes copied for a key that fits: every key of the incidents' own fields does.
    const BLOCK: usize = 48;

    pub(super) fn new(text: String) -> Key {
        let mut block = [0; Key::BLOCK];
        if let Some(to) = block.get_mut(..text.len()) {
            to.copy_from_slice(text.as_bytes());
        }
        Key { block, text }
    }

    /// Appends the key to `buf`: the whole block, then cut back to the key.
    pub(super) fn write(&self, buf: &mut Vec<u8>) {
        let len = self.text.len();
        if len <= Key::BLOCK {
            append_block(buf, &self.block, len);
        } else {
            buf.extend_from_slice(self.text.as_bytes());
        }
    }
}

/// A JSON string, escaped as serde_json escapes it. serde_json escapes only control
/// characters (below U+0020), the quote and the backslash; most texts hold none, and are copied between
/// quotes at once (a million incidents' layer writes some twenty million strings, which
/// serde_json's byte-by-byte escaping and writer calls spent about 1.4% of `run`'s CPU on:
/// `perf`).
///
/// A text of up to [`SHORT_TEXT`] bytes is checked and copied in one pass into a block that
/// is appended whole (see [`append_block`]): most of an incident's texts are names, codes
/// and ids of a few dozen bytes, each of which cost a call to `memcpy` besides the check.
pub(super) fn write_str(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let plain = |b: u8| b >= 0x20 && b != b'"' && b != b'\\';
    if bytes.len() <= SHORT_TEXT {
        let mut block = [0u8; SHORT_TEXT + 2];
        block[0] = b'"';
        let mut all_plain = true;
        for (to, &b) in block[1..].iter_mut().zip(bytes) {
            all_plain &= plain(b);
            *to = b;
        }
        if all_plain {
            block[bytes.len() + 1] = b'"';
            append_block(buf, &block, bytes.len() + 2);
        } else {
            let _ = serde_json::to_writer(&mut *buf, s);
        }
        return;
    }
    if bytes.iter().all(|&b| plain(b)) {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buf, s);
    }
}

/// The longest text [`write_str`] writes through a block.
const SHORT_TEXT: usize = 62;

/// A JSON number as serde_json writes an f64 (always with a decimal point or exponent);
/// `null` when not finite.
///
/// A whole number below 10^15 in size (`1.0`, `0.0`, `681.0`: most of an incident's
/// numbers) is written here as its digits and `.0`, which is what serde_json writes
/// (tested). serde_json's shortest-digits formatting and its copy through `io::Write` (a
/// call to `memcpy` per number) took 0.31 s of the GeoJSON's formatting on the peer's
/// million (`perf`, `run`); 0.23 s so. On ten million numbers, 70% of them whole,
/// 245 -> 150 ms (a micro-benchmark of the old and new function, not kept).
pub(super) fn write_real(buf: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        write_integer(buf, v < 0.0, v.abs() as u64, true);
    } else {
        let _ = serde_json::to_writer(&mut *buf, &v);
    }
}

/// Writes a whole number in decimal (`-` first when `negative`), with `.0` after it when
/// `real`: built in a block of fixed size and appended with [`append_block`].
pub(super) fn write_integer(buf: &mut Vec<u8>, negative: bool, magnitude: u64, real: bool) {
    // The sign, at most 20 digits and `.0`.
    let mut block = [0u8; 24];
    let mut rest = magnitude;
    let digits = rest.checked_ilog10().map_or(1, |l| l as usize + 1);
    let sign = usize::from(negative);
    block[0] = b'-';
    let mut end = sign + digits;
    for at in (sign..end).rev() {
        block[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    if real {
        block[end] = b'.';
        block[end + 1] = b'0';
        end += 2;
    }
    append_block(buf, &block, end);
}

/// Appends the first `len` bytes of `block` to `buf` by copying the whole block and cutting
/// back: a copy of a size known when compiled is made in place, while one of a length known
/// only when running is a call to `memcpy`, which costs more than the copy for the few bytes
/// of a key or a number.
fn append_block<const N: usize>(buf: &mut Vec<u8>, block: &[u8; N], len: usize) {
    debug_assert!(len <= N);
    let end = buf.len() + len.min(N);
    buf.extend_from_slice(block);
    buf.truncate(end);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts on both sides of the block's length are written as serde_json writes them:
    /// plain, with a character to escape first, last or in between, and with a character of
    /// several bytes across the limit.
    #[test]
    fn texts_around_the_blocks_length_are_written_as_serde_json_writes_them() {
        for len in 0..=SHORT_TEXT + 6 {
            let plain: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let mut texts = vec![plain.clone()];
            for at in [0, len / 2, len.saturating_sub(1)] {
                for c in ['"', '\\', '\n', '\u{1}', 'é', '中'] {
                    let mut t: Vec<char> = plain.chars().collect();
                    if at < t.len() {
                        t[at] = c;
                    } else {
                        t.push(c);
                    }
                    texts.push(t.into_iter().collect());
                }
            }
            for t in texts {
                let mut buf = b"{".to_vec();
                write_str(&mut buf, &t);
                let expected = format!("{{{}", serde_json::to_string(&t).unwrap());
                assert_eq!(String::from_utf8(buf).unwrap(), expected, "{t:?}");
            }
        }
    }

    /// Numbers are written as serde_json writes an f64: whole numbers of every size around
    /// the fast path's limit, both zeros, fractions, the largest and smallest, not finite.
    #[test]
    fn reals_are_written_as_serde_json_writes_them() {
        let mut values: Vec<f64> = (-100_000..=100_000).map(f64::from).collect();
        for e in 0..=20 {
            let p = 10f64.powi(e);
            for v in [p, p - 1.0, p + 1.0, p / 2.0, p * 0.999, p + 0.5] {
                values.extend([v, -v]);
            }
        }
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let whole = (state >> 14) as f64 * if state & 1 == 0 { 1.0 } else { -1.0 };
            values.extend([whole, whole / 1000.0, f64::from_bits(state)]);
        }
        values.extend([
            0.0,
            -0.0,
            0.1,
            681.324,
            1e15 - 0.5,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]);
        for v in values {
            let mut buf = b"[".to_vec();
            write_real(&mut buf, v);
            let expected = format!("[{}", serde_json::to_string(&v).unwrap());
            assert_eq!(String::from_utf8(buf).unwrap(), expected, "{v:e}");
        }
    }

    /// Integers are written in full: both ends of the range, every number of digits.
    #[test]
    fn integers_are_written_in_full() {
        let mut values = vec![0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN, i64::MIN + 1];
        for e in 1..19 {
            let p = 10i64.pow(e);
            values.extend([p - 1, p, p + 1, -p + 1, -p, -p - 1]);
        }
        for v in values {
            let mut buf = b"x".to_vec();
            write_integer(&mut buf, v < 0, v.unsigned_abs(), false);
            assert_eq!(String::from_utf8(buf).unwrap(), format!("x{v}"));
        }
        let mut buf = Vec::new();
        write_integer(&mut buf, false, u64::MAX, true);
        assert_eq!(String::from_utf8(buf).unwrap(), format!("{}.0", u64::MAX));
    }

    /// A key is appended as itself whatever its length (shorter than its block, the
    /// block's size, longer), after what the buffer already holds, and nothing after it.
    #[test]
    fn keys_are_appended_exactly() {
        for len in 0..=Key::BLOCK + 9 {
            let text: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let key = Key::new(text.clone());
            let mut buf = b"{\"x\":1".to_vec();
            key.write(&mut buf);
            key.write(&mut buf);
            assert_eq!(
                buf,
                format!("{{\"x\":1{text}{text}").into_bytes(),
                "length {len}"
            );
        }
    }

    /// Strings are written as serde_json writes them: every ASCII character alone and
    /// among others, texts in other scripts, and random mixtures.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let same = |s: &str| {
            let mut buf = b"x".to_vec();
            write_str(&mut buf, s);
            assert_eq!(buf[1..], serde_json::to_vec(s).unwrap()[..], "{s:?}");
        };
        for c in (0u8..=127)
            .map(char::from)
            .chain(['é', 'Д', 'ی', '\u{2028}', '\u{7f}', '\u{feff}'])
        {
            same(&c.to_string());
            same(&format!("Khost {c} (Paktia)"));
        }
        same("");
        same("Dand-e Patan, \"Kurram\"\\n");
        let mut next = crate::geo_util::test_uniform(13);
        let alphabet: Vec<char> = "ab \"\\\n\t\u{1}Дی/'".chars().collect();
        for _ in 0..2000 {
            let len = (next() * 12.0) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() * alphabet.len() as f64) as usize % alphabet.len()])
                .collect();
            same(&s);
        }
    }
}
