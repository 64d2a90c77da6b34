//! Renders the answer of `explain`: the make-up of the peak and what more capacity would buy.

use super::Render;
use super::compare::{each_step, placement_moves};
use super::document::{Document, Section, TableData};
use crate::fmt::{count, mw, num, opt_num, percent, yes_no};
use crate::plan::{Decides, ExplainAnswer};

impl ExplainAnswer {
    /// Token kinds at the peak, when some class's input costs GPU time; the training left
    /// and the elastic share, when there are. None for a version-1 fleet that only serves.
    fn kinds_section(&self) -> Option<Section> {
        let by_kind = self.kinds.iter().any(|k| k.kind != "output");
        let mut notes = Vec::new();
        if let Some(binding) = self.binding.as_ref().filter(|_| by_kind) {
            notes.push(format!("Binding at the peak: {binding}."));
        }
        if let Some(lever) = &self.speed_lever {
            notes.push(format!("Speed: {lever}."));
        }
        if self.training_gpu_hours > 0.0 {
            notes.push(format!(
                "Training keeps {} GPU-hours a week under this policy.",
                count(self.training_gpu_hours)
            ));
        }
        if let Some(cost) = self.cost.as_ref().filter(|_| !self.losing_tiers.is_empty()) {
            let losing: Vec<String> = cost
                .tiers
                .iter()
                .filter(|t| self.losing_tiers.contains(&t.tier))
                .map(|t| format!("{} ({} a week)", t.tier, crate::fmt::usd(t.margin)))
                .collect();
            notes.push(format!(
                "Tiers that lose money at this policy: {}.",
                losing.join(", ")
            ));
        }
        if let Some(lambda) = self.elastic_lambda {
            notes.push(format!(
                "Elastic sites serve with {} of their span (max - min) at the peak step.",
                percent(lambda)
            ));
        }
        let table = by_kind.then(|| {
            let mut table =
                TableData::new(&["Class", "Tokens", "Utilization", "Share of GPU time"])
                    .right([2, 3]);
            for k in &self.kinds {
                table.row(vec![
                    k.class.clone(),
                    k.kind.to_string(),
                    percent(k.utilization),
                    percent(k.load_share),
                ]);
            }
            table
        });
        (table.is_some() || !notes.is_empty()).then(|| Section {
            heading: "Token kinds and training at the peak step".into(),
            table,
            notes,
        })
    }
}

impl ExplainAnswer {
    /// The peak under the three placements, and whether placement decides the verdict.
    fn placement_section(&self) -> Section {
        let p = &self.placement;
        let mut notes = vec![if placement_moves(p) {
            format!(
                "Peak utilization {} with every GPU splitting its time over classes in one ratio; {} if the scheduler re-places classes on SKUs {}; {} if pools are pinned for the week, each sized for its own class's peak.",
                percent(p.proportional),
                percent(p.replaced),
                each_step(self.step_minutes),
                percent(p.pinned),
            )
        } else {
            format!(
                "Placement does not move the peak: {} whether the scheduler re-places classes on SKUs {} or pools are pinned for the week.",
                percent(p.proportional),
                each_step(self.step_minutes),
            )
        }];
        match p.decides {
            Decides::FitsIfReplaced => notes.push(format!(
                "The verdict depends on placement: it fits if the scheduler re-places classes {}.",
                each_step(self.step_minutes)
            )),
            Decides::MissesIfPinned => notes.push(
                "The verdict depends on placement: it does not fit if pools are pinned for the week."
                    .into(),
            ),
            Decides::No => {}
        }
        Section {
            heading: "Placement".into(),
            table: None,
            notes,
        }
    }
}

impl Render for ExplainAnswer {
    fn document(&self) -> Document {
        let mut tiers = TableData::new(&[
            "Tier",
            "Utilization",
            "Share of load",
            "Throttled users",
            "Share of throttled",
        ])
        .right([1, 2, 3, 4]);
        for t in &self.tiers {
            tiers.row(vec![
                t.name.clone(),
                percent(t.utilization),
                percent(t.load_share),
                t.throttled_users.map(count).unwrap_or_default(),
                t.throttled_share.map(percent).unwrap_or_default(),
            ]);
        }
        let mut classes = TableData::new(&["Class", "Utilization", "Share of load"]).right([1, 2]);
        for c in &self.classes {
            classes.row(vec![
                c.name.clone(),
                percent(c.utilization),
                percent(c.load_share),
            ]);
        }
        let power_notes = if self.power_bound_sites.is_empty() {
            vec!["No site is power-bound.".to_string()]
        } else {
            self.power_bound_sites
                .iter()
                .map(|s| {
                    format!(
                        "{} is power-bound: it powers {} of its GPUs; {} GPUs stand idle; {} MW more would power them all",
                        s.name,
                        percent(s.power_factor),
                        count(s.unpowered_gpus),
                        mw(s.mw_to_power_all)
                    )
                })
                .collect()
        };
        let mut what_if =
            TableData::new(&["Change", "Peak util", "Change (points)", "Fits"]).right([1, 2]);
        for w in &self.what_if {
            what_if.row(vec![
                w.change.clone(),
                percent(w.peak_utilization),
                format!("{:+.2}", w.change_points),
                yes_no(w.fits),
            ]);
        }
        Document {
            title: format!(
                "{} — explain {} ({}): peak utilization {} at {} UTC{}, target {}",
                self.scenario,
                self.policy,
                self.phase,
                percent(self.peak_utilization),
                self.peak_time,
                if self.peak_hour { " (a peak hour)" } else { "" },
                percent(self.utilization_target)
            ) + &if self.unservable_classes.is_empty() {
                String::new()
            } else {
                format!(
                    "; NO capacity for {} in this phase",
                    self.unservable_classes.join(", ")
                )
            },
            sections: [
                Some(Section {
                    heading: "Tiers at the peak step".into(),
                    table: Some(tiers),
                    notes: Vec::new(),
                }),
                Some(Section {
                    heading: "Model classes at the peak step".into(),
                    table: Some(classes),
                    notes: Vec::new(),
                }),
                self.kinds_section(),
                Some(self.placement_section()),
                Some(Section {
                    heading: "Power".into(),
                    table: None,
                    notes: power_notes,
                }),
                Some(Section {
                    heading: "What more capacity would buy".into(),
                    table: Some(what_if),
                    notes: Vec::new(),
                }),
            ]
            .into_iter()
            .flatten()
            .collect(),
        }
    }

    fn csv(&self) -> TableData {
        let mut table = TableData::new(&[
            "kind",
            "name",
            "utilization",
            "load_share",
            "throttled_users",
            "throttled_share",
        ]);
        for (kind, shares) in [("tier", &self.tiers), ("class", &self.classes)] {
            for s in shares {
                table.row(vec![
                    kind.to_string(),
                    s.name.clone(),
                    num(s.utilization),
                    num(s.load_share),
                    opt_num(s.throttled_users),
                    opt_num(s.throttled_share),
                ]);
            }
        }
        let p = &self.placement;
        for (name, value) in [
            ("proportional", p.proportional),
            ("replaced", p.replaced),
            ("pinned", p.pinned),
        ] {
            table.row(vec![
                "placement".into(),
                name.into(),
                num(value),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for w in &self.what_if {
            table.row(vec![
                "what_if".into(),
                w.change.clone(),
                num(w.peak_utilization),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        table
    }
}
