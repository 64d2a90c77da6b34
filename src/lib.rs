//! capplan: a deterministic headroom model for GPU fleets and rate-limit policies.
//!
//! Data flows one way, each layer importing only those before it (and the leaf [`fmt`]):
//! a [`scenario`] (GPU SKUs, sites, additions, demand curves, tiers and policies, parsed
//! and validated) goes through the pure [`model`] to utilization per step of a reference
//! week; [`plan`] asks the questions (compare, check, timeline, solve, explain, validate)
//! and returns typed answers; [`report`] renders them. [`cli`] resolves the command line
//! into settings and [`app`] runs them: the only place that touches files, the
//! environment and standard output. docs/architecture.md draws the picture.

pub mod app;
pub mod cli;
pub mod fmt;
pub mod model;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod synth;
