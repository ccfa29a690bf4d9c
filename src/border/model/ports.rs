//! Ports of entry: appointment and walk-up queues served by lanes within opening hours; closures.

use super::*;

impl BorderModel<'_> {
    /// Starts service at port `k` if no service event is pending.
    pub(super) fn kick_port(&mut self, k: usize, sched: &mut Scheduler<BorderEvent>) {
        if !self.ports[k].pending {
            self.port_serve(k, sched);
        }
    }

    /// Serves the next party at port `k` if it is open and within its hours;
    /// otherwise waits for the opening hour.
    pub(super) fn port_serve(&mut self, k: usize, sched: &mut Scheduler<BorderEvent>) {
        self.ports[k].pending = false;
        let open = self.port_open(k);
        if open <= 0.0 || self.ports[k].queued == 0 {
            return;
        }
        let port = &self.p.ports[k];
        if port.lanes <= 0.0 || port.hours_per_day <= 0.0 {
            return;
        }
        let now = sched.now();
        let tod = (now % DAY) as f64 / HOUR as f64;
        let opens = port.opens_at_hour;
        let closes = opens + port.hours_per_day;
        if port.hours_per_day < 24.0 && (tod < opens || tod >= closes) {
            let day_start = (now / DAY) * DAY;
            let mut at = day_start + (opens * HOUR as f64) as SimTime;
            if at <= now {
                at += DAY;
            }
            self.ports[k].pending = true;
            sched.schedule_at(at, BorderEvent::PortServe(k as u16));
            return;
        }
        let slot = match self.ports[k].appointments.pop_front() {
            Some(s) => s,
            None => match self.ports[k].walkups.pop_front() {
                Some(s) => s,
                None => return,
            },
        };
        let size = self.size(slot);
        if self.port_open(k) <= 0.0 {
            self.ports[k].served_while_closed += u64::from(size);
        }
        self.ports[k].queued -= u64::from(size);
        self.d_ofo += u64::from(size);
        self.ports[k].ofo_today += u64::from(size);
        self.finish(slot, outcome::ENTERED_PORT);
        let minutes = f64::from(size) * port.service_minutes
            / (port.lanes * open * self.ports[k].capacity_mult.max(1e-9));
        self.ports[k].pending = true;
        sched.schedule_in(
            ((minutes * 60.0).round() as SimTime).max(1),
            BorderEvent::PortServe(k as u16),
        );
    }

    /// Empties a port that just closed: its queue re-plans.
    pub(super) fn drain_port(&mut self, k: usize, sched: &mut Scheduler<BorderEvent>) {
        let mut out: Vec<u32> = self.ports[k].appointments.drain(..).collect();
        out.extend(self.ports[k].walkups.drain(..));
        self.ports[k].queued = 0;
        for slot in out {
            self.replan(slot, sched);
        }
    }
}
