//! Plain decimal numbers read at once: most numeric cells of an incident file are written
//! like `71.47766`, `-3.5` or `12`, and a general parser (`str::parse::<f64>`, which also
//! reads exponents, `inf` and 800-digit numbers) spent some 300 instructions on each, two
//! to four per row (`callgrind`, `density` on the peer's million rows).

/// Powers of ten up to 10¹⁹ (as many decimals as 19 digits can have): each is a double
/// exactly (every power up to 10²² is).
const POW10: [f64; 20] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19,
];

/// `s` read as a number when it is a plain decimal (an optional sign, digits with at most
/// one decimal point, at least one digit) of at most 19 digits whose digits, read as a whole
/// number, are at most 2⁵³; `None` for anything else, which the caller gives to
/// `str::parse`.
///
/// The answer is `str::parse`'s to the bit: the digits m and 10ᵉ are both doubles exactly,
/// so one division gives the double nearest to m / 10ᵉ (IEEE division rounds correctly), and
/// `str::parse` gives the double nearest to the decimal, which is the same number
/// (Clinger's fast path; tested against `str::parse` on a million strings).
#[inline]
pub(crate) fn plain_decimal(s: &str) -> Option<f64> {
    let bytes = s.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'+' => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.len() > 20 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut after_point: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                // At most 19 digits: below 10¹⁹, which a u64 holds.
                if count == 19 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                if let Some(n) = after_point.as_mut() {
                    *n += 1;
                }
            }
            b'.' if after_point.is_none() => after_point = Some(0),
            _ => return None,
        }
    }
    let decimals = after_point.unwrap_or(0);
    if count == 0 || mantissa > 1 << 53 {
        return None;
    }
    // At most 19 digits, so at most 19 decimals: within the table.
    let value = mantissa as f64 / POW10[decimals];
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plain_decimal` agrees with `str::parse` wherever it answers, to the bit.
    fn agrees(s: &str) -> bool {
        match plain_decimal(s) {
            Some(v) => s.parse::<f64>().map(f64::to_bits) == Ok(v.to_bits()),
            None => true,
        }
    }

    #[test]
    fn plain_decimals_are_read_as_the_standard_parser_reads_them() {
        for s in [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "12",
            "71.47766",
            "-3.5",
            "+3.5",
            "5.",
            ".5",
            "-.5",
            "007.50",
            "0.1",
            "0.3",
            "9007199254740992",
            "9007199254740993",
            "1.7976931348",
            "123456789012345678",
            "0.123456789012345678",
        ] {
            assert!(agrees(s), "{s}");
        }
        for s in [
            "9007199254740992",
            "0.000000000000000001",
            "-0.0",
            "+.5",
            "0000000000000000012",
        ] {
            assert!(plain_decimal(s).is_some(), "{s} is read at once");
        }
        assert_eq!(plain_decimal("71.47766"), Some(71.47766));
        assert_eq!(
            plain_decimal("-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(plain_decimal("5."), Some(5.0));
        assert_eq!(plain_decimal(".5"), Some(0.5));
    }

    /// What is not a plain decimal, or lies beyond the exact range, goes to the standard
    /// parser.
    #[test]
    fn anything_else_is_left_to_the_standard_parser() {
        for s in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "1.2.3",
            "1e5",
            "1E5",
            "inf",
            "NaN",
            "1,5",
            " 1",
            "1 ",
            "--1",
            "+-1",
            "0x10",
            "١٢",
            "9007199254740993",
            "12345678901234567890",
            "0.00000000000000000000001",
            "1_000",
        ] {
            assert_eq!(plain_decimal(s), None, "{s:?}");
        }
    }

    /// A million random strings of digits, points and signs, of every length up to 24:
    /// wherever the fast path answers, its answer is the standard parser's, and it answers
    /// for every plain decimal of up to 15 digits.
    #[test]
    fn a_million_random_decimals_agree_with_the_standard_parser() {
        let mut next = crate::geo_util::test_uniform(5);
        let mut answered = 0;
        let mut s = String::new();
        for i in 0..1_000_000 {
            s.clear();
            let len = 1 + (next() * 24.0) as usize;
            for j in 0..len {
                let r = next();
                s.push(match r {
                    _ if j == 0 && r < 0.15 => '-',
                    _ if r < 0.08 => '.',
                    _ if r < 0.09 && i % 7 == 0 => 'e',
                    _ => char::from(b'0' + (next() * 10.0) as u8 % 10),
                });
            }
            assert!(agrees(&s), "{s}");
            if plain_decimal(&s).is_some() {
                answered += 1;
            }
            let digits = s.bytes().filter(u8::is_ascii_digit).count();
            let plain = s.parse::<f64>().is_ok()
                && !s.contains('e')
                && s.matches('.').count() <= 1
                && s[1..].bytes().all(|b| b != b'-');
            if plain && digits <= 15 {
                assert!(plain_decimal(&s).is_some(), "{s}");
            }
        }
        assert!(answered > 300_000, "{answered}");
    }
}
