//! The stock of people waiting in central Mexico (issue #14, point 2):
//! parties passing through Mexico City stop there with `stay_share`, leave
//! each midnight with probability 1 − exp(−m / `stay_days`) (m the
//! `stock_release` multiplier in force), and a release can only send north
//! people who are there.
//!
//! The runs use the calibration base (`calibration/base-2023.ron`, which
//! has a stock and a late-2023 release) cut to a shorter horizon, one
//! replication with the scenario's seed.

use borderflow::Scenario;
use borderflow::montecarlo::Replication;
use ron::Value;

/// The calibration base cut to end on `end`, with its stock's share, mean
/// stay [d] and late-2023 release multiplier set as given (`None`: the
/// stock and its release removed).
fn base(end: (i32, u32, u32), stock: Option<(f64, f64, f64)>) -> Scenario {
    let mut v = crate::cut_to("scenarios/calibration/base-2023.ron", end);
    let release = "Late-2023 release from central Mexico";
    let model = map(field(&mut v, "model"));
    match stock {
        Some((share, days, multiplier)) => {
            let s = map(model.get_mut(&key("central_stock")).unwrap());
            s.insert(key("stay_share"), Value::Number(share.into()));
            s.insert(key("stay_days"), Value::Number(days.into()));
            for iv in crate::interventions(&mut v) {
                let iv = map(iv);
                if iv.get(&key("name")) == Some(&key(release)) {
                    iv.insert(key("multiplier"), Value::Number(multiplier.into()));
                }
            }
        }
        None => {
            model.remove(&key("central_stock"));
            crate::interventions(&mut v).retain(|iv| {
                let Value::Map(m) = iv else { return true };
                m.get(&key("name")) != Some(&key(release))
            });
        }
    }
    Scenario::from_value(v, "stock").unwrap()
}

fn key(s: &str) -> Value {
    Value::String(s.into())
}

fn map(v: &mut Value) -> &mut ron::Map {
    match v {
        Value::Map(m) => m,
        _ => panic!("expected a struct"),
    }
}

fn field<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    map(v).get_mut(&key(name)).unwrap()
}

/// Replication 0 of `scn` with its invariants checked after every event
/// (conservation of people among them), and its daily metric names.
fn replicate(scn: &Scenario) -> (Replication, Vec<String>) {
    let exp = scn.experiment();
    let rep = exp.replicate_checked(scn.seed, 0);
    assert!(rep.violations.is_empty(), "{:?}", rep.violations);
    (rep, exp.metric_names())
}

/// A stock nobody stops in changes no count: its stream is its own, so the
/// other mechanisms draw exactly the numbers they drew without it (every
/// KPI equal to the bit), and it stays empty.
#[test]
fn a_stock_nobody_stops_in_changes_nothing() {
    let end = (2023, 3, 31);
    let without = crate::kpi_means(&base(end, None), 1);
    let empty = crate::kpi_means(&base(end, Some((0.0, 45.0, 1.0))), 1);
    assert_eq!(without.len(), empty.len());
    for ((name, a), (_, b)) in without.iter().zip(&empty) {
        assert_eq!(a.to_bits(), b.to_bits(), "{name}: {a} → {b}");
    }
    let (rep, names) = replicate(&base(end, Some((0.0, 45.0, 1.0))));
    let level = names.iter().position(|n| n == "waiting_central").unwrap();
    assert_eq!(rep.daily.sum(level, 0, rep.daily.days()), 0.0);
}

/// People leave at the stated daily rate: summed over the days, those
/// leaving over those in the stock the evening before is 1 − exp(−1/30)
/// = 0.0328 outside the release and 1 − exp(−3/30) = 0.0952 during a ×3
/// release (10 Nov – 10 Dec 2023); and the stock's count balances every
/// day: the ledger's level = yesterday's + those counted stopping − those
/// counted leaving.
///
/// Tolerance: the counts are persons while the draw is by party (1–5
/// people), and leavers set off at a uniform time of their day; with
/// ~5,000 leaving a day outside the release and ~150,000 during it, the
/// binomial noise of the ratio is well under 1%, so ±5% catches a wrong
/// rate (a mean stay of 28.5 or 31.5 days would sit at the edge) without
/// tripping on noise.
#[test]
fn people_leave_the_stock_at_the_stated_rate() {
    let scn = base((2023, 12, 31), Some((0.5, 30.0, 3.0)));
    let (rep, names) = replicate(&scn);
    let col = |m: &str| names.iter().position(|n| n == m).expect(m);
    let (level, stop, leave) = (col("waiting_central"), col("stock_in"), col("stock_out"));
    let d = &rep.daily;
    // 2023-11-10 and 2023-12-10 as day indices from 1 Jan 2023.
    let (from, until) = (313, 343);
    let mut outside = (0.0, 0.0);
    let mut during = (0.0, 0.0);
    for day in 1..d.days() {
        let before = d.get(day - 1, level);
        assert_eq!(
            d.get(day, level),
            before + d.get(day, stop) - d.get(day, leave),
            "day {day}: the stock's count does not balance"
        );
        // A day whose leavers include some released the midnight before
        // the window changed (they set off up to a day later) is skipped.
        let acc = if (from + 1..until).contains(&day) {
            &mut during
        } else if day < from || day > until + 1 {
            &mut outside
        } else {
            continue;
        };
        acc.0 += d.get(day, leave);
        acc.1 += before;
    }
    for ((left, held), multiplier) in [(outside, 1.0), (during, 3.0)] {
        let rate = left / held;
        let expected = 1.0 - f64::exp(-multiplier / 30.0);
        eprintln!("release ×{multiplier}: {rate:.4} leave a day, expected {expected:.4}");
        assert!(
            (rate / expected - 1.0).abs() < 0.05,
            "release ×{multiplier}: {rate:.4} of the stock leaves a day, expected {expected:.4}"
        );
    }
}

/// A release sends north people who are in the stock and creates none:
/// arrivals are the same every day to the bit, Border Patrol apprehensions
/// of December rise by more than 5% (the stock holds over 100,000 people in
/// November and a ×3 release for a month moves tens of thousands more than
/// usual), and the stock on 31 Dec is smaller than without the release (it
/// was drawn down, not refilled from nowhere).
#[test]
fn a_release_moves_the_stock_north_without_new_arrivals() {
    let end = (2023, 12, 31);
    let (calm, names) = replicate(&base(end, Some((0.5, 45.0, 1.0))));
    let (released, _) = replicate(&base(end, Some((0.5, 45.0, 3.0))));
    let col = |m: &str| names.iter().position(|n| n == m).expect(m);
    let days = calm.daily.days();
    for day in 0..days {
        let a = col("arrivals");
        assert_eq!(
            calm.daily.get(day, a).to_bits(),
            released.daily.get(day, a).to_bits(),
            "day {day}: a release must not change arrivals"
        );
    }
    // December 2023: day indices 334..365 from 1 Jan 2023.
    let usbp = |r: &Replication| r.daily.sum(col("usbp_apprehensions"), 334, 365);
    let stock = |r: &Replication| r.daily.get(days - 1, col("waiting_central"));
    eprintln!(
        "December USBP {:.0} → {:.0}; stock on 31 Dec {:.0} → {:.0}",
        usbp(&calm),
        usbp(&released),
        stock(&calm),
        stock(&released)
    );
    assert!(usbp(&released) > 1.05 * usbp(&calm));
    assert!(stock(&released) < stock(&calm));
}
