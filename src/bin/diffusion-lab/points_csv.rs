//! Point sets as CSV: a header line `x,y`, then one point per line.

use std::path::Path;

/// Reads `[x0, y0, x1, y1, ...]` from a CSV file, with errors that name the line at fault.
pub fn read(path: &Path) -> Result<Vec<f32>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    if headers.len() != 2 || &headers[0] != "x" || &headers[1] != "y" {
        return Err(format!(
            "{}: the first line must be the header `x,y`, found `{}`",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(",")
        ));
    }
    let mut points = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{}: line {line}: {e}", path.display()))?;
        if record.len() != 2 {
            return Err(format!(
                "{}: line {line}: expected 2 values, found {}",
                path.display(),
                record.len()
            ));
        }
        for field in record.iter() {
            let v: f32 = field.parse().map_err(|_| {
                format!("{}: line {line}: `{field}` is not a number", path.display())
            })?;
            if !v.is_finite() {
                return Err(format!(
                    "{}: line {line}: `{field}` is not a finite number",
                    path.display()
                ));
            }
            points.push(v);
        }
    }
    if points.len() < 4 {
        return Err(format!("{}: at least 2 points are needed", path.display()));
    }
    Ok(points)
}

/// Writes `[x0, y0, ...]` as CSV with the header `x,y`.
pub fn write(path: &Path, points: &[f32]) -> Result<(), String> {
    let mut writer = csv::Writer::from_path(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let fail = |e: csv::Error| format!("cannot write {}: {e}", path.display());
    writer.write_record(["x", "y"]).map_err(fail)?;
    for p in points.chunks_exact(2) {
        writer
            .write_record([p[0].to_string(), p[1].to_string()])
            .map_err(fail)?;
    }
    writer
        .flush()
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
