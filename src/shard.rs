//! Shards: deterministic parts of a large batch, for runs too big for one
//! machine (a Slurm job array, say). Shard K of N runs a contiguous block of
//! replication indices, so concatenating the shards' rows in shard order gives
//! exactly the rows of the unsharded run, and `borderflow merge` rebuilds
//! byte-identical summaries from them.

use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Shard `index` of `count` (0-based index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, 0 ≤ index < count.
    pub index: u64,
    /// How many shards the batch is split into.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N`, e.g. `3/16` (K from 0 to N−1, as `SLURM_ARRAY_TASK_ID`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected K/N, e.g. 0/4 (shard K of N, K from 0)"))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: K must be a whole number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: N must be a whole number"))?;
        if count == 0 || index >= count {
            return Err(format!("`{s}`: need 0 ≤ K < N"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The whole batch as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// This shard's block of `0..total`: the first `total % count` shards get
    /// one item more, so blocks differ in size by at most one.
    pub fn range(&self, total: u64) -> Range<u64> {
        let base = total / self.count;
        let extra = total % self.count;
        let start = self.index * base + self.index.min(extra);
        let len = base + u64::from(self.index < extra);
        start..start + len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_range() {
        for total in [0u64, 1, 7, 64, 1001] {
            for count in [1u64, 2, 3, 16] {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.range(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
        assert!("3/2".parse::<Shard>().is_err());
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
    }
}
