//! The elastic share's lambda(h): one solver for the formula path
//! ([`super::headroom::elastic_lambda`]) and the sample kernel ([`super::sampling`]).
//!
//! At a step, elastic sites serve `min + lambda * (max - min)` of their GPUs, so
//! `U(lambda) = sum of d / (f + lambda * e)` over the (class, kind) pairs with demand: convex
//! and falling in lambda. lambda(h) is the smallest value in [0, 1] with U <= target (1 when
//! none is). The solver brackets it first (U(0) and U(1) decide the edges; the chord between
//! them meets the target right of the root), then runs Newton's method from the chord (it
//! lands left of the root and climbs to it), with bisection when Newton meets anything
//! non-finite, and last settles on the smallest double with U <= target: the same answer
//! whichever side of the root the iteration stopped on, so the answer never depends on
//! where it started.

/// The smallest lambda in [0, 1] with U(lambda) <= `target`, given U(0) (`u0`, infinite when
/// some demanded pair has no capacity without the elastic sites) and U(1) (`u1`). `at`
/// gives U and dU/dlambda at a lambda; it returns an infinite U where a demanded pair has
/// no capacity.
pub fn smallest_within(
    target: f64,
    u0: f64,
    u1: f64,
    mut at: impl FnMut(f64) -> (f64, f64),
) -> f64 {
    if u0 <= target {
        return 0.0;
    }
    if u1 > target || u1.is_nan() {
        return 1.0;
    }
    // The chord from (0, U(0)) to (1, U(1)) lies above the convex U: it meets the target
    // right of the root, so U there is within the target.
    let chord = if u0.is_finite() {
        ((u0 - target) / (u0 - u1)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let mut x = if chord.is_finite() && at(chord).0 <= target {
        chord
    } else {
        1.0
    };
    let mut newton = true;
    for _ in 0..60 {
        let (u, slope) = at(x);
        if !u.is_finite() || slope.is_nan() || slope >= 0.0 {
            newton = false;
            break;
        }
        let next = (x - (u - target) / slope).clamp(0.0, 1.0);
        if !next.is_finite() {
            newton = false;
            break;
        }
        let converged = (next - x).abs() <= 4.0 * f64::EPSILON * x.max(f64::MIN_POSITIVE);
        x = next;
        if converged {
            break;
        }
    }
    if !newton {
        // U(low) > target >= U(high), halved to the last bit.
        let (mut low, mut high) = (0.0_f64, 1.0_f64);
        for _ in 0..64 {
            let middle = 0.5 * (low + high);
            if middle <= low || middle >= high {
                break;
            }
            if at(middle).0 <= target {
                high = middle;
            } else {
                low = middle;
            }
        }
        x = high;
    }
    first_within(x, target, |lambda| at(lambda).0)
}

/// The smallest double in [0, 1] whose U is within the target, found from a guess `x` near
/// it, for U falling in lambda, U(0) over the target and U(1) within it. Positive doubles
/// order as their bit patterns: from `x`, gallop (1, 2, 4, ... ulps) down while U stays
/// within the target, or up until it is, then bisect between the last two patterns. A root
/// near 0, where ulps are tiny, takes some 120 steps, never millions.
pub fn first_within(x: f64, target: f64, mut u: impl FnMut(f64) -> f64) -> f64 {
    // NaN and -0.0 would order above 1.0 as bits: both start from 0.
    let x = if x > 0.0 { x.min(1.0) } else { 0.0 };
    let one = 1.0_f64.to_bits();
    let within = |bits: u64, u: &mut dyn FnMut(f64) -> f64| u(f64::from_bits(bits)) <= target;
    let (mut low, mut high);
    if within(x.to_bits(), &mut u) {
        // Down: `high` is within; find a `low` that is not (0 is not, by the caller).
        high = x.to_bits();
        let mut step = 1u64;
        low = loop {
            let candidate = high.saturating_sub(step);
            if candidate == 0 || !within(candidate, &mut u) {
                break candidate;
            }
            high = candidate;
            step = step.saturating_mul(2);
        };
        if low == 0 && within(0, &mut u) {
            return 0.0;
        }
    } else {
        // Up: `low` is not within; find a `high` that is (1 is, by the caller).
        low = x.to_bits();
        let mut step = 1u64;
        high = loop {
            let candidate = low.saturating_add(step).min(one);
            if candidate == one || within(candidate, &mut u) {
                break candidate;
            }
            low = candidate;
            step = step.saturating_mul(2);
        };
    }
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if within(middle, &mut u) {
            high = middle;
        } else {
            low = middle;
        }
    }
    f64::from_bits(high)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// U(lambda) = d / (f + lambda e) with its slope.
    fn one_pair(d: f64, f: f64, e: f64) -> impl FnMut(f64) -> (f64, f64) {
        move |lambda: f64| {
            let t = f + lambda * e;
            (d / t, -d * e / (t * t))
        }
    }

    #[test]
    fn lambda_is_the_smallest_double_within_the_target() {
        // 5e5 / (4e5 + 4e5 lambda) = 0.85 at lambda = (5e5 / 0.85 - 4e5) / 4e5.
        let (u0, u1) = (1.25, 0.625);
        let lambda = smallest_within(0.85, u0, u1, one_pair(5e5, 4e5, 4e5));
        let exact = (5e5 / 0.85 - 4e5) / 4e5;
        assert!((lambda - exact).abs() <= 4.0 * f64::EPSILON);
        let u = |l: f64| one_pair(5e5, 4e5, 4e5)(l).0;
        assert!(u(lambda) <= 0.85);
        assert!(u(f64::from_bits(lambda.to_bits() - 1)) > 0.85);
    }

    #[test]
    fn the_answer_does_not_depend_on_the_guess() {
        let u = |l: f64| one_pair(5e5, 4e5, 4e5)(l).0;
        let exact = (5e5 / 0.85 - 4e5) / 4e5;
        let answer = first_within(exact, 0.85, u);
        for guess in [0.0, 1e-9, exact * 0.999, exact * 1.001, 0.9, 1.0] {
            assert_eq!(first_within(guess, 0.85, u).to_bits(), answer.to_bits());
        }
    }

    #[test]
    fn edges_need_no_search() {
        let never = |_: f64| -> (f64, f64) { panic!("no evaluation at the edges") };
        assert_eq!(smallest_within(0.85, 0.8, 0.4, never), 0.0);
        assert_eq!(smallest_within(0.85, 2.0, 0.9, never), 1.0);
        assert_eq!(smallest_within(0.85, 2.0, f64::NAN, never), 1.0);
    }

    #[test]
    fn no_capacity_without_the_elastic_sites_is_solved_too() {
        // f = 0: U(0) is infinite; U(lambda) = 1 / lambda falls to 0.5 at 1.
        let lambda = smallest_within(0.85, f64::INFINITY, 0.5, one_pair(1.0, 0.0, 2.0));
        let u = |l: f64| 1.0 / (2.0 * l);
        assert!(u(lambda) <= 0.85 && u(f64::from_bits(lambda.to_bits() - 1)) > 0.85);
    }

    #[test]
    fn a_root_near_zero_is_found_in_few_steps() {
        // U(lambda) = 1e-7 / lambda against 1: the root is 1e-7, where an ulp is 1.3e-23.
        let calls = std::cell::Cell::new(0);
        let u = |lambda: f64| {
            calls.set(calls.get() + 1);
            1e-7 / lambda
        };
        let root = first_within(1e-7 * (1.0 - 1e-9), 1.0, u);
        assert!(u(root) <= 1.0 && u(f64::from_bits(root.to_bits() - 1)) > 1.0);
        assert!(calls.get() < 200, "{} evaluations", calls.get());
    }
}
