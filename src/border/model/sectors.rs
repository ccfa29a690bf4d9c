//! Between ports: crossing attempts by Border Patrol sector, custody, expulsion or removal and retries.

use super::*;

impl BorderModel<'_> {
    /// A crossing attempt between ports: apprehended (USBP) with the sector's
    /// probability, boosted by officers of closed ports, or a got-away.
    pub(super) fn cross(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let s = self.p.cities[city].sector;
        let sector = &self.p.sectors[s];
        // Officers of closed ports in the sector's cities reinforce it.
        let closed: f64 = self
            .p
            .cities
            .iter()
            .filter(|c| c.sector == s)
            .flat_map(|c| c.ports.iter())
            .map(|&k| 1.0 - self.port_open(k))
            .sum();
        let p_app =
            (sector.apprehension_prob + sector.officers_boost_per_closed_port * closed).min(1.0);
        let size = u64::from(self.size(slot));
        if self.rng_border.random::<f64>() < p_app {
            self.d_usbp += size;
            self.d_usbp_sector[s] += size;
            self.sector_today[s] += size;
            let occupancy = self.custody[s] as f64;
            let full = occupancy + size as f64 > sector.custody_capacity;
            if full && self.p.between_ports.custody_when_full == WhenFull::Release {
                self.after_custody(slot, sched);
                return;
            }
            let slow = if full {
                (occupancy + size as f64) / sector.custody_capacity.max(1.0)
            } else {
                1.0
            };
            self.custody[s] += size;
            let pid = self.goto(slot, level::CUSTODY);
            self.at(
                sched,
                sector.processing_hours / 24.0 * slow,
                pid,
                Step::CustodyRelease,
            );
        } else {
            self.d_gotaways += size;
            self.finish(slot, outcome::GOT_AWAY);
        }
    }

    /// A party leaves Border Patrol custody after processing.
    pub(super) fn custody_release(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let s = self.p.cities[city].sector;
        self.custody[s] -= u64::from(self.size(slot));
        self.after_custody(slot, sched);
    }

    /// After processing: expelled or removed to Mexico (and maybe retry), or
    /// the final outcome "apprehended".
    pub(super) fn after_custody(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let origin = &self.p.origins[self.parties[slot as usize].origin as usize];
        let bp = &self.p.between_ports;
        let (returned, retry) = if self.policy.title42 {
            (origin.expelled_under_title42, bp.retry_after_expulsion)
        } else {
            (origin.removed_under_title8, bp.retry_after_removal)
        };
        if self.rng_border.random::<f64>() < returned * retry {
            let pid = self.goto(slot, level::WAITING_NORTH);
            let wait = Self::exp(&mut self.rng_border, bp.retry_delay_days);
            self.at(sched, wait, pid, Step::Cross);
        } else {
            self.finish(slot, outcome::APPREHENDED);
        }
    }
}
