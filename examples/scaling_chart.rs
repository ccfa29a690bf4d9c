//! Draws `benches/scaling.csv` (from `benches/scaling.sh`) as
//! `docs/img/scaling.png`: run time and peak memory of one baseline
//! replication against the arrival multiplier and against the horizon.
//!
//! Run: `cargo run --release --example scaling_chart`.

use plotters::prelude::*;

use borderflow::report::style;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    style::register_fonts()?;
    let mut rows: Vec<(String, f64, f64, f64, f64)> = Vec::new();
    let mut rdr = csv::Reader::from_path("benches/scaling.csv")?;
    for r in rdr.records() {
        let r = r?;
        rows.push((
            r[0].to_string(),
            r[1].parse()?,
            r[2].parse()?,
            r[3].parse()?,
            r[4].parse()?,
        ));
    }
    let root = BitMapBackend::new("docs/img/scaling.png", (1200, 800)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "Cost of one baseline replication (one core)",
        (style::FAMILY, style::TITLE_PX, FontStyle::Bold).into_font(),
    )?;
    let panels = root.split_evenly((2, 2));
    let specs = [
        ("arrivals", "arrivals × baseline", 2usize, "run time [s]"),
        ("arrivals", "arrivals × baseline", 4, "peak memory [MB]"),
        ("horizon_months", "horizon [months]", 2, "run time [s]"),
        ("horizon_months", "horizon [months]", 4, "peak memory [MB]"),
    ];
    for (panel, (series, x_desc, col, y_desc)) in panels.iter().zip(specs) {
        let pts: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.0 == series)
            .map(|r| (r.1, [r.2, r.3, r.2, r.3, r.4][col]))
            .collect();
        let x_max = pts.iter().map(|p| p.0).fold(0.0, f64::max) * 1.1;
        let y_max = pts.iter().map(|p| p.1).fold(0.0, f64::max) * 1.15;
        let mut chart = ChartBuilder::on(panel)
            .margin(20)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_max.max(1.0), 0.0..y_max.max(1.0))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .axis_desc_style(style::text(style::LABEL_PX, style::BLACK))
            .label_style(style::text(style::TICK_PX, style::BLACK))
            .light_line_style(TRANSPARENT)
            .draw()?;
        // A straight line through the origin and the largest point: growth
        // in proportion would follow it.
        if let Some(&(x1, y1)) = pts.last() {
            chart.draw_series(LineSeries::new(
                vec![(0.0, 0.0), (x1, y1)],
                style::GREY.stroke_width(1),
            ))?;
        }
        chart.draw_series(LineSeries::new(pts.clone(), style::BLUE.stroke_width(3)))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 5, style::BLUE.filled())))?;
    }
    root.present()?;
    println!("wrote docs/img/scaling.png");
    Ok(())
}
