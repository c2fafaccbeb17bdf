//! SVG charts a hall manager reads at a glance (plotters, SVG backend only): per slot, the share of
//! tickets waiting at most the threshold and the windows open, one line per variant; and the wait
//! estimate printed at issue against the wait that followed.

use crate::report::Report;
use plotters::prelude::*;
use std::path::Path;

const SIZE: (u32, u32) = (960, 440);

fn failed<E: std::fmt::Display>(e: E) -> String {
    format!("chart: {e}")
}

fn label(r: &Report) -> String {
    if r.staffing == "off" {
        r.policy.clone()
    } else {
        format!("{}@{}", r.policy, r.staffing)
    }
}

/// One line per report over the day's slots: `value(report, slot index)`.
fn slot_lines(
    path: &Path,
    title: &str,
    y_desc: &str,
    reports: &[&Report],
    y: std::ops::Range<f64>,
    value: &dyn Fn(&Report, usize) -> f64,
) -> Result<(), String> {
    let Some(slots) = reports.first().and_then(|r| r.slots.as_ref()) else { return Ok(()) };
    let names: Vec<String> = slots.iter().map(|s| s.start.clone()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..(names.len().max(2) - 1) as f64, y)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .x_labels(names.len())
            .x_label_formatter(&|x| names.get(x.round() as usize).cloned().unwrap_or_default())
            .y_desc(y_desc)
            .draw()
            .map_err(failed)?;
        for (i, r) in reports.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let n = r.slots.as_ref().map_or(0, Vec::len);
            chart
                .draw_series(LineSeries::new((0..n).map(|s| (s as f64, value(r, s))), color.stroke_width(2)))
                .map_err(failed)?
                .label(label(r))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `<stem>-slots.svg` (share waiting ≤ the first threshold, per slot) and `<stem>-windows.svg` (windows
/// open per slot) in `dir`, for day-mode reports. Returns the files written.
pub fn slots(dir: &Path, stem: &str, reports: &[&Report]) -> Result<Vec<String>, String> {
    let Some(threshold) = reports.first().and_then(|r| r.overall.p_wait_over_min.keys().next().cloned()) else {
        return Ok(Vec::new());
    };
    if reports.first().and_then(|r| r.slots.as_ref()).is_none() {
        return Ok(Vec::new());
    }
    // A variant with standby windows off (the regular windows alone) drowns the others: it is in the
    // tables, not in the charts.
    let shown: Vec<&Report> = reports.iter().copied().filter(|r| r.staffing != "off" || reports.len() == 1).collect();
    let share_of = |r: &Report, s: usize| {
        r.slots
            .as_ref()
            .and_then(|v| v.get(s))
            .map_or(0.0, |x| 1.0 - x.p_wait_over_min.get(&threshold).copied().unwrap_or(0.0))
    };
    let lowest = shown
        .iter()
        .flat_map(|r| (0..r.slots.as_ref().map_or(0, Vec::len)).map(|s| share_of(r, s)))
        .fold(1.0f64, f64::min);
    let y_min = ((lowest - 0.05) * 10.0).floor().max(0.0) / 10.0;
    let share = dir.join(format!("{stem}-slots.svg"));
    let title = format!("Share of tickets waiting ≤ {threshold} min, by slot of arrival");
    slot_lines(&share, &title, "share", &shown, y_min..1.0, &share_of)?;
    let most = shown.iter().flat_map(|r| r.slots.iter().flatten().map(|s| s.open_windows)).fold(1.0f64, f64::max);
    let windows = dir.join(format!("{stem}-windows.svg"));
    slot_lines(
        &windows,
        "Windows open, by slot (mean over days)",
        "windows",
        &shown,
        0.0..(most * 1.1).ceil(),
        &|r, s| r.slots.as_ref().and_then(|v| v.get(s)).map_or(0.0, |x| x.open_windows),
    )?;
    Ok(vec![share.display().to_string(), windows.display().to_string()])
}

/// `<stem>-estimates.svg`: printed median against actual wait, one dot per sampled ticket, and the
/// diagonal. Nothing without estimates.
pub fn estimates(dir: &Path, stem: &str, report: &Report) -> Result<Option<String>, String> {
    let points = &report.estimate_samples;
    if points.is_empty() {
        return Ok(None);
    }
    let top = points.iter().map(|(e, a)| e.max(*a)).fold(1.0f64, f64::max).min(120.0).ceil();
    let path = dir.join(format!("{stem}-estimates.svg"));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Printed median vs actual wait ({})", label(report)), ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..top, 0f64..top)
            .map_err(failed)?;
        chart.configure_mesh().x_desc("printed median, min").y_desc("actual wait, min").draw().map_err(failed)?;
        let dot = Palette99::pick(0).mix(0.35).filled();
        chart.draw_series(points.iter().map(|(e, a)| Circle::new((e.min(top), a.min(top)), 2, dot))).map_err(failed)?;
        chart.draw_series(LineSeries::new([(0.0, 0.0), (top, top)], BLACK.stroke_width(1))).map_err(failed)?;
        root.present().map_err(failed)?;
    }
    std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some(path.display().to_string()))
}
