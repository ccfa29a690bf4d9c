//! Switches driven by between-ports pressure with hysteresis: a port that
//! closes when its sector is overwhelmed, a rule that limits asylum while
//! crossings are high.

/// An on/off state driven by a daily pressure [persons/day]: on when the
/// pressure exceeds the upper threshold, off once it has stayed below the
/// lower one for a number of days in a row. The gap between the thresholds
/// and the wait keep it from flapping on a single quiet day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Hysteresis {
    /// On.
    pub(super) on: bool,
    /// Days in a row below the lower threshold while on [d].
    calm_days: u32,
}

impl Hysteresis {
    /// Takes the day's `pressure` [persons/day]: turns on above `above`;
    /// while on, counts the days below `below` and turns off after `days`
    /// of them in a row (a day at or above `below` restarts the count).
    pub(super) fn update(&mut self, pressure: f64, above: f64, below: f64, days: u32) {
        if !self.on {
            if pressure > above {
                self.on = true;
                self.calm_days = 0;
            }
            return;
        }
        if pressure < below {
            self.calm_days += 1;
        } else {
            self.calm_days = 0;
        }
        if self.calm_days >= days {
            self.on = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On above 2,500; off only after 3 days in a row below 1,500; a day
    /// between the thresholds restarts the count.
    #[test]
    fn turns_on_above_and_off_after_calm_days_in_a_row() {
        let mut h = Hysteresis::default();
        let mut states = Vec::new();
        for x in [
            2000.0, 2600.0, 1400.0, 1400.0, 1600.0, 1400.0, 1400.0, 1400.0, 2000.0,
        ] {
            h.update(x, 2500.0, 1500.0, 3);
            states.push(h.on);
        }
        assert_eq!(
            states,
            [false, true, true, true, true, true, true, false, false]
        );
    }
}
