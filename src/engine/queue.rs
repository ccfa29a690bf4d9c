//! The future-event list: a binary min-heap ordered by (time, class, sequence).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::SimTime;

/// Latest time the queue can hold [s]: the key packs time into 64 bits,
/// class into 8 and the insertion sequence into 56.
pub const MAX_TIME: SimTime = i64::MAX;

const SEQ_BITS: u32 = 56;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// One queued event with its packed ordering key.
struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed so that `BinaryHeap` (a max-heap) pops the smallest key.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Events ordered by time, then class, then insertion order.
///
/// Why all three: time alone leaves simultaneous events in heap order, which
/// depends on the heap's history; the class lets a model state which kind of
/// simultaneous event comes first (policy changes before arrivals, say); the
/// insertion sequence makes the rest first-scheduled, first-handled. The key is
/// one `u128` so a comparison is a single integer compare.
///
/// Push and pop are O(log n).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }

    /// Queues `event` at time `at` [s ≥ 0] with tie-break class `class`.
    #[inline]
    pub fn push(&mut self, at: SimTime, class: u8, event: E) {
        debug_assert!(at >= 0, "negative event time");
        debug_assert!(self.seq <= SEQ_MASK, "event sequence overflow");
        let key = ((at as u64 as u128) << 64) | ((class as u128) << SEQ_BITS) | (self.seq as u128);
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// Removes and returns the earliest event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap
            .pop()
            .map(|e| (((e.key >> 64) as u64) as SimTime, e.event))
    }

    /// Time of the earliest event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| ((e.key >> 64) as u64) as SimTime)
    }

    /// Number of queued events.
    #[inline]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is queued.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}
