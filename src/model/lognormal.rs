//! Per-user intensity as a log-normal with mean 1: how much of a tier's wanted tokens a
//! per-user cap lets through, and how many users it throttles. Closed forms, no sampling.

use std::f64::consts::SQRT_2;

/// Standard normal CDF, via `erfc` for accuracy in both tails.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// Served share `phi(k) = E[min(X, k)]` for `X ~ LogNormal(-s²/2, s)`, `E[X] = 1`, where k is the
/// cap as a multiple of the mean wanted tokens. `k = inf` (no cap) serves everything.
pub fn served_share(k: f64, spread: f64) -> f64 {
    if k.is_infinite() {
        return 1.0;
    }
    if k <= 0.0 {
        return 0.0;
    }
    if spread == 0.0 {
        return k.min(1.0);
    }
    let z = libm::log(k) / spread;
    normal_cdf(z - spread / 2.0) + k * normal_cdf(-(z + spread / 2.0))
}

/// Throttled share theta(k) = P(X > k): the share of active users the cap binds on.
pub fn throttled_share(k: f64, spread: f64) -> f64 {
    if k.is_infinite() {
        return 0.0;
    }
    if k <= 0.0 {
        return 1.0;
    }
    if spread == 0.0 {
        return if k < 1.0 { 1.0 } else { 0.0 };
    }
    let z = libm::log(k) / spread;
    normal_cdf(-(z + spread / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn spread_one_at_the_mean() {
        // z = 0: phi = Phi(-1/2) + (1 - Phi(1/2)) = 2 Phi(-1/2).
        assert_relative_eq!(
            served_share(1.0, 1.0),
            0.6170750774519738,
            max_relative = 1e-15
        );
        assert_relative_eq!(
            throttled_share(1.0, 1.0),
            0.3085375387259869,
            max_relative = 1e-15
        );
    }

    #[test]
    fn identical_users() {
        assert_eq!(served_share(0.5, 0.0), 0.5);
        assert_eq!(served_share(2.0, 0.0), 1.0);
        assert_eq!(throttled_share(0.5, 0.0), 1.0);
        assert_eq!(throttled_share(1.0, 0.0), 0.0);
    }

    #[test]
    fn limits_of_the_cap() {
        assert_eq!(served_share(f64::INFINITY, 1.0), 1.0);
        assert_eq!(served_share(0.0, 1.0), 0.0);
        assert_eq!(throttled_share(0.0, 0.7), 1.0);
        assert!(served_share(1e12, 2.0) > 1.0 - 1e-12);
        assert!(served_share(1e-12, 2.0) < 1e-11);
    }

    #[test]
    fn served_share_grows_with_the_cap() {
        for spread in [0.0, 0.3, 1.0, 2.5] {
            let mut last = 0.0;
            for i in 1..200 {
                let k = f64::from(i) * 0.05;
                let phi = served_share(k, spread);
                assert!(
                    phi >= last && phi <= 1.0 && phi <= k + 1e-15,
                    "k={k} s={spread}"
                );
                last = phi;
            }
        }
    }

    #[test]
    fn normal_cdf_values() {
        assert_relative_eq!(normal_cdf(0.0), 0.5);
        assert_relative_eq!(normal_cdf(1.959963984540054), 0.975, max_relative = 1e-12);
        assert_relative_eq!(normal_cdf(-8.0), 6.22096057427178e-16, max_relative = 1e-9);
    }
}
