//! Resident ID numbers (居民身份证号码, GB 11643-1999): validation, birth date, masking.
//!
//! The kiosk reads an ID to find the citizen's age for the elderly green channel and to enforce one
//! waiting ticket per ID per matter. The raw number never enters the core's state or the log: the
//! shell keeps a keyed hash ([`crate::core::HolderKey`]) and the birth date, and clerks see [`mask`].

use crate::core::time::Date;

/// Why an ID number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// Not 17 digits and a digit or `X`.
    Shape,
    /// The birth date in positions 7–14 is not a real date.
    BirthDate,
    /// The check character does not match the first 17 digits.
    Checksum,
}

/// A valid 18-digit ID number's birth date. Lower-case `x` is accepted as the check character.
pub fn birth_date(id: &str) -> Result<Date, IdError> {
    let bytes = id.as_bytes();
    if bytes.len() != 18
        || !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X' || bytes[17] == b'x')
    {
        return Err(IdError::Shape);
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = bytes[..17].iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let digits = |r: std::ops::Range<usize>| id[r].parse::<i32>().map_err(|_| IdError::Shape);
    let date = Date::new(digits(6..10)?, digits(10..12)? as u8, digits(12..14)? as u8)
        .filter(|d| d.year >= 1900)
        .ok_or(IdError::BirthDate)?;
    if CHECK[(sum % 11) as usize] != bytes[17].to_ascii_uppercase() {
        return Err(IdError::Checksum);
    }
    Ok(date)
}

/// The form a clerk sees: first 3 and last 4 characters, the rest as `*`.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of GB 11643-1999.
    const SAMPLE: &str = "11010519491231002X";

    #[test]
    fn the_standard_example_validates() {
        assert_eq!(birth_date(SAMPLE), Ok(Date { year: 1949, month: 12, day: 31 }));
        assert_eq!(birth_date(&SAMPLE.to_lowercase()), Ok(Date { year: 1949, month: 12, day: 31 }));
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(birth_date("110105194912310021"), Err(IdError::Checksum));
        assert_eq!(birth_date("1101051949123100"), Err(IdError::Shape));
        assert_eq!(birth_date("11010519491331002X"), Err(IdError::BirthDate));
        assert_eq!(birth_date("1101051949123100XX"), Err(IdError::Shape));
    }

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask(SAMPLE), "110***********002X");
        assert_eq!(mask("123"), "***");
    }
}
