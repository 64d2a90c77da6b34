//! Bytes → a base and a head scenario (split at the first NUL; the same text twice when
//! there is none) → diff in every format through the GitHub fence, the check's JUnit,
//! and sampled uncertainty. The body is fuzz/exercise.rs, shared with the test suite.
#![no_main]

use libfuzzer_sys::fuzz_target;

include!("../exercise.rs");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (base, head) = text.split_once('\0').unwrap_or((text, text));
    exercise(base, head);
});
