//! A finished sweep's per-replication table, `sweep.csv` or
//! `sweep.parquet`: every replication's KPIs led by the sweep's name and
//! seed, the design point with its parameter values, and the replication
//! counted within the point, so it joins `sweep_summary.csv` and the design
//! without arithmetic.
//!
//! It replaces the batch's raw KPI records (`kpis.*`, where `replication`
//! counts over the whole batch) in the finished folder: both hold the same
//! values, and the raw records are only needed while the batch runs
//! (`--resume`) and in shards (`merge`).
//!
//! Columns: `scenario,seed,point,<parameters>,replication,kpi,value`. In
//! Parquet `scenario` and `kpi` are UTF8 (dictionary-encoded), `seed`
//! UINT64, `point` and `replication` UINT32, the parameters and `value`
//! DOUBLE; one row group, Snappy.

use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::{Type, TypePtr};

use super::Format;
use super::csv::csv_field;
use super::parquet::{encode, put};
use crate::error::{Error, Result};

/// One replication of one design point: its point, its replication within
/// the point and the value of every KPI, in KPI order.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// The design point (0-based, in `sweep.json`'s order).
    pub point: u32,
    /// The replication within the point (0-based).
    pub replication: u32,
    /// Every KPI's value, in [`SweepTable::kpis`] order.
    pub values: Vec<f64>,
}

/// A finished sweep's per-replication KPIs and what every row repeats.
#[derive(Debug, Clone, Default)]
pub struct SweepTable {
    /// The sweep's name (the `scenario` column).
    pub scenario: String,
    /// The sweep's seed.
    pub seed: u64,
    /// The parameter columns' names, in parameter order.
    pub columns: Vec<String>,
    /// The parameter values of every point, point-major.
    pub points: Vec<Vec<f64>>,
    /// The KPI names, in order.
    pub kpis: Vec<String>,
    /// The rows, in the batch's replication order.
    pub rows: Vec<SweepRow>,
}

impl SweepTable {
    /// The table's file name in `format` (`sweep.csv`, `sweep.parquet`).
    pub fn file(format: Format) -> String {
        format!("sweep.{}", format.extension())
    }

    /// The table as CSV text. Parameter values are written as in
    /// `sweep_summary.csv` (so the two join on them as text), KPI values by
    /// `{:?}`, like the records: always with a fraction or exponent.
    pub fn csv(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| csv_field(c)).collect();
        let mut out = format!(
            "scenario,seed,point,{},replication,kpi,value\n",
            cols.join(",")
        );
        let lead = format!("{},{}", csv_field(&self.scenario), self.seed);
        let points: Vec<String> = self
            .points
            .iter()
            .map(|p| p.iter().map(f64::to_string).collect::<Vec<_>>().join(","))
            .collect();
        let kpis: Vec<String> = self.kpis.iter().map(|k| csv_field(k)).collect();
        for row in &self.rows {
            let params = points.get(row.point as usize).map_or("", String::as_str);
            for (kpi, value) in kpis.iter().zip(&row.values) {
                out.push_str(&format!(
                    "{lead},{},{params},{},{kpi},{value:?}\n",
                    row.point, row.replication
                ));
            }
        }
        out
    }

    /// The table as one Parquet file in memory.
    pub fn parquet(&self) -> Result<Vec<u8>> {
        let schema = self.schema()?;
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_statistics_enabled(EnabledStatistics::Chunk)
                .set_max_row_group_row_count(None)
                .set_max_row_group_bytes(None)
                .set_created_by(format!("borderflow {}", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        let nk = self.kpis.len();
        let n = self.rows.len() * nk;
        // Each row of `rows` is `nk` table rows, one per KPI.
        let each = |f: &dyn Fn(&SweepRow) -> i32| -> Vec<i32> {
            self.rows
                .iter()
                .flat_map(|r| std::iter::repeat_n(f(r), nk))
                .collect()
        };
        let points = each(&|r| r.point as i32);
        let replications = each(&|r| r.replication as i32);
        let kpi_names: Vec<ByteArray> = self
            .kpis
            .iter()
            .map(|k| ByteArray::from(k.as_str()))
            .collect();
        let kpis: Vec<ByteArray> = (0..n).map(|i| kpi_names[i % nk].clone()).collect();
        let values: Vec<f64> = self.rows.iter().flat_map(|r| r.values.clone()).collect();
        let fill = |rg: &mut super::parquet::Rg<'_>| {
            put::<ByteArrayType>(rg, &vec![ByteArray::from(self.scenario.as_str()); n], None)?;
            // The seed's bits, read back as UINT64 by the logical type.
            put::<Int64Type>(rg, &vec![self.seed as i64; n], None)?;
            put::<Int32Type>(rg, &points, None)?;
            for j in 0..self.columns.len() {
                let column: Vec<f64> = self
                    .rows
                    .iter()
                    .flat_map(|r| {
                        let v = self.points[r.point as usize].get(j).copied();
                        std::iter::repeat_n(v.unwrap_or(f64::NAN), nk)
                    })
                    .collect();
                put::<DoubleType>(rg, &column, None)?;
            }
            put::<Int32Type>(rg, &replications, None)?;
            put::<ByteArrayType>(rg, &kpis, None)?;
            put::<DoubleType>(rg, &values, None)
        };
        encode(&schema, &props, &fill)
            .map_err(|e| Error::Other(format!("encoding the sweep table: {e}")))
    }

    /// The Parquet schema: one required column per CSV column.
    fn schema(&self) -> Result<TypePtr> {
        let field = |name: &str, physical: Physical, logical: Option<LogicalType>| {
            Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::REQUIRED)
                .with_logical_type(logical)
                .build()
                .map(Arc::new)
        };
        let text = || Some(LogicalType::String);
        let unsigned = |bits: i8| Some(LogicalType::integer(bits, false));
        let mut fields = vec![
            field("scenario", Physical::BYTE_ARRAY, text()),
            field("seed", Physical::INT64, unsigned(64)),
            field("point", Physical::INT32, unsigned(32)),
        ];
        for c in &self.columns {
            fields.push(field(c, Physical::DOUBLE, None));
        }
        fields.push(field("replication", Physical::INT32, unsigned(32)));
        fields.push(field("kpi", Physical::BYTE_ARRAY, text()));
        fields.push(field("value", Physical::DOUBLE, None));
        let fields = fields
            .into_iter()
            .collect::<parquet::errors::Result<Vec<_>>>()
            .and_then(|f| Type::group_type_builder("sweep").with_fields(f).build());
        fields
            .map(Arc::new)
            .map_err(|e| Error::Other(format!("sweep table schema: {e}")))
    }

    /// The table's bytes in `format`.
    pub fn encoded(&self, format: Format) -> Result<Vec<u8>> {
        match format {
            Format::Csv => Ok(self.csv().into_bytes()),
            Format::Parquet => self.parquet(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    fn table() -> SweepTable {
        SweepTable {
            scenario: "s, 1".into(),
            seed: u64::MAX,
            columns: vec!["servers".into(), "rate".into()],
            points: vec![vec![10.0, 0.5], vec![12.0, 0.25]],
            kpis: vec!["wait".into(), "p_wait".into()],
            rows: vec![
                SweepRow {
                    point: 0,
                    replication: 0,
                    values: vec![1.0, 0.1],
                },
                SweepRow {
                    point: 1,
                    replication: 0,
                    values: vec![2.0, 0.2],
                },
            ],
        }
    }

    /// Every CSV row names its point, its parameter values and its
    /// replication within the point; the name with a comma is quoted.
    #[test]
    fn csv_rows_name_their_point() {
        let text = table().csv();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "scenario,seed,point,servers,rate,replication,kpi,value",
                "\"s, 1\",18446744073709551615,0,10,0.5,0,wait,1.0",
                "\"s, 1\",18446744073709551615,0,10,0.5,0,p_wait,0.1",
                "\"s, 1\",18446744073709551615,1,12,0.25,0,wait,2.0",
                "\"s, 1\",18446744073709551615,1,12,0.25,0,p_wait,0.2",
            ]
        );
    }

    /// The Parquet table has the CSV's columns, in order, and one row per
    /// CSV row.
    #[test]
    fn parquet_has_the_csv_columns_and_rows() {
        let t = table();
        let bytes = t.parquet().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(SweepTable::file(Format::Parquet));
        std::fs::write(&path, bytes).unwrap();
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 4);
        let names: Vec<&str> = meta
            .file_metadata()
            .schema_descr()
            .columns()
            .iter()
            .map(|c| c.name())
            .collect();
        let header = t.csv();
        let header = header.lines().next().unwrap();
        assert_eq!(names.join(","), header);
    }
}
