//! The policy timeline: interventions recomputed at their start and end, and pressure-triggered port closures.

use super::*;

impl BorderModel<'_> {
    /// Recomputes the policy state for `today` from the interventions in force
    /// and applies the consequences (ports that close empty their queues).
    pub(super) fn apply_policies(&mut self, today: i64, sched: &mut Scheduler<BorderEvent>) {
        let mut pol = Policy {
            title42: false,
            cbp_one_slots: 0.0,
            enforcement: [1.0; 2],
            suspended: [false; 4],
            outcomes: self.p.mexico.outcomes,
            crossing_delay: 1.0,
        };
        let mut slot_mult = 1.0;
        let mut fractions = vec![1.0; self.p.ports.len()];
        let mut mults = vec![1.0; self.p.ports.len()];
        for iv in &self.p.interventions {
            if !(iv.from_day..iv.until_day).contains(&today) {
                continue;
            }
            match iv.action {
                Action::Title42 => pol.title42 = true,
                Action::CbpOneSlots(s) => pol.cbp_one_slots = s,
                Action::CbpOneMultiplier(x) => slot_mult *= x,
                Action::PortState { port, fraction } => match port {
                    Some(k) => fractions[k] = fraction,
                    None => fractions.iter_mut().for_each(|f| *f = fraction),
                },
                Action::PortCapacity { port, multiplier } => match port {
                    Some(k) => mults[k] *= multiplier,
                    None => mults.iter_mut().for_each(|m| *m *= multiplier),
                },
                Action::MexicoEnforcement { region, multiplier } => match region {
                    Some(Region::South) => pol.enforcement[0] *= multiplier,
                    Some(Region::Transit) => pol.enforcement[1] *= multiplier,
                    None => pol.enforcement.iter_mut().for_each(|e| *e *= multiplier),
                },
                Action::ModeSuspension(m) => pol.suspended[m] = true,
                Action::DetentionOutcomes(o) => pol.outcomes = o,
                Action::CrossingDelay(x) => pol.crossing_delay *= x,
                Action::ArrivalSurge { .. } => {}
            }
        }
        pol.cbp_one_slots *= slot_mult;
        self.policy = pol;
        for (leg, l) in self.p.legs.iter().enumerate() {
            let enforcement = self.enforcement(l.region);
            for (mode, md) in self.p.modes.iter().enumerate() {
                for papers in 0..2 {
                    let mut factor = md.detection_factor * enforcement;
                    if papers == 1 {
                        factor *= self.p.mexico.papers_detection_factor;
                    }
                    let p_cp = Self::scaled(l.checkpoint_detection, factor);
                    self.leg_detection[leg][mode][papers] =
                        1.0 - (1.0 - p_cp).powi(l.checkpoints as i32);
                }
            }
        }
        for (c, crossing) in self.p.crossings.iter().enumerate() {
            self.crossing_detection[c] =
                Self::scaled(crossing.detection_prob, self.enforcement(Region::South));
        }
        for (k, f) in fractions.into_iter().enumerate() {
            let was = self.port_open(k);
            self.ports[k].scheduled = f;
            self.ports[k].capacity_mult = mults[k];
            self.port_changed(k, was, sched);
        }
        self.update_route_weights(today.max(0) as usize);
    }

    /// Reacts to a change of port `k`'s open fraction: a closing port empties
    /// its queue; an open one resumes service.
    pub(super) fn port_changed(&mut self, k: usize, was: f64, sched: &mut Scheduler<BorderEvent>) {
        let now = self.port_open(k);
        if was > 0.0 && now <= 0.0 {
            self.drain_port(k, sched);
        } else if now > 0.0 {
            self.kick_port(k, sched);
        }
    }

    /// Midnight: roll the sectors' daily apprehensions and open or close
    /// ports with a pressure trigger.
    pub(super) fn pressure_check(&mut self, sched: &mut Scheduler<BorderEvent>) {
        for s in 0..self.p.sectors.len() {
            let h = &mut self.sector_history[s];
            h.push_back(self.sector_today[s]);
            if h.len() > 7 {
                h.pop_front();
            }
            self.sector_today[s] = 0;
        }
        for k in 0..self.p.ports.len() {
            let Some(t) = self.p.ports[k].trigger else {
                continue;
            };
            let s = self.p.cities[self.p.ports[k].city].sector;
            let h = &self.sector_history[s];
            let mean = h.iter().sum::<u64>() as f64 / h.len().max(1) as f64;
            let was = self.port_open(k);
            let st = &mut self.ports[k];
            if !st.triggered_closed && mean > t.close_above_per_day {
                st.triggered_closed = true;
                st.calm_days = 0;
            } else if st.triggered_closed {
                if mean < t.reopen_below_per_day {
                    st.calm_days += 1;
                } else {
                    st.calm_days = 0;
                }
                if st.calm_days >= t.reopen_after_days {
                    st.triggered_closed = false;
                }
            }
            self.port_changed(k, was, sched);
        }
        let next = sched.now() + DAY;
        if Self::day_of(next) < self.days as usize {
            sched.schedule_at(next, BorderEvent::PressureCheck);
        }
    }
}
