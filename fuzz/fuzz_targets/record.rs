//! Any bytes as a stored ledger record: checking and decoding never panic; a record sealed from any
//! body checks out; and changing any one bit of a sealed record is always found.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onewindow::store::{chain, decode};

fuzz_target!(|data: &[u8]| {
    let genesis = chain::genesis("fuzz");
    // As stored bytes: never a panic, whatever they are.
    if let Ok((_, body)) = chain::check(&genesis, 1, data) {
        let _ = decode(body);
    }
    let _ = decode(data);
    // As a body: sealed, it checks; any flipped bit is found.
    let (link, stored) = chain::seal(&genesis, 7, data);
    assert_eq!(chain::check(&genesis, 7, &stored).map(|(l, b)| (l, b.to_vec())), Ok((link, data.to_vec())));
    let bit = data.iter().fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(usize::from(*b))) % (stored.len() * 8);
    let mut flipped = stored.clone();
    flipped[bit / 8] ^= 1 << (bit % 8);
    assert!(chain::check(&genesis, 7, &flipped).is_err(), "a flipped bit at {bit} went unnoticed");
    assert!(chain::check(&genesis, 8, &stored).is_err(), "a record at another seq went unnoticed");
});
