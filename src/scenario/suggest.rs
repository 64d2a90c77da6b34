//! "Did you mean …?": the closest known name to a misspelt one.

/// Names longer than this get no suggestion: edit distance is quadratic in length, and a
/// 200 kB "name" is not a typo.
const LONGEST_NAME: usize = 64;

/// The candidate closest to `found` by edit distance, if it is close enough to be a typo
/// (at most a third of the longer name's length).
pub fn closest<'a>(found: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if found.len() > LONGEST_NAME {
        return None;
    }
    candidates
        .iter()
        .filter(|c| c.len() <= LONGEST_NAME)
        .map(|c| (edit_distance(found, c), *c))
        .filter(|(d, c)| *d <= c.len().max(found.len()).div_ceil(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(closest("uesrs", &["name", "users", "curve"]), Some("users"));
        assert_eq!(closest("zzzzzz", &["name", "users"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let long = "u".repeat(65);
        assert_eq!(closest(&long, &[&long[..64]]), None);
    }
}
