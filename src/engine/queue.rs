//! The future-event list: a binary min-heap ordered by (time, class,
//! sequence), beside a run of events that arrived already in that order.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

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
/// Two stores hold the events: a binary heap, and a run of events that were
/// pushed in key order ([`EventQueue::push_in_order`]), a FIFO fast path for
/// a model that hands over a batch it sorted itself (SimCore measured 3–4×
/// from one). Pop takes the smaller of the two fronts, so the order of what
/// comes out depends only on the keys, never on which store held an event:
/// the same schedule gives the same bits whichever push was used.
///
/// Push to the heap and pop from it are O(log n); push to the run and pop
/// from it are O(1).
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    run: VecDeque<Entry<E>>,
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
            run: VecDeque::new(),
            seq: 0,
        }
    }

    /// The key of the next event queued at `at` [s ≥ 0] with class `class`.
    #[inline]
    fn next_key(&mut self, at: SimTime, class: u8) -> u128 {
        debug_assert!(at >= 0, "negative event time");
        debug_assert!(self.seq <= SEQ_MASK, "event sequence overflow");
        let key = ((at as u64 as u128) << 64) | ((class as u128) << SEQ_BITS) | (self.seq as u128);
        self.seq += 1;
        key
    }

    /// Queues `event` at time `at` [s ≥ 0] with tie-break class `class`.
    #[inline]
    pub fn push(&mut self, at: SimTime, class: u8, event: E) {
        let key = self.next_key(at, class);
        self.heap.push(Entry { key, event });
    }

    /// [`EventQueue::push`] for an event that, in a batch pushed in
    /// nondecreasing (time, class) order, comes after the previous one: it
    /// joins the in-order run in O(1). An event that would break the run's
    /// order (an earlier time than the run's last) goes to the heap instead,
    /// so any order of pushes stays correct; only the speed differs.
    #[inline]
    pub fn push_in_order(&mut self, at: SimTime, class: u8, event: E) {
        let key = self.next_key(at, class);
        if self.run.back().is_none_or(|last| last.key < key) {
            self.run.push_back(Entry { key, event });
        } else {
            self.heap.push(Entry { key, event });
        }
    }

    /// The earliest queued entry's key, and whether it is the run's front
    /// (else the heap's); `None` when empty.
    #[inline]
    fn earliest(&self) -> Option<(u128, bool)> {
        match (self.run.front(), self.heap.peek()) {
            (Some(r), Some(h)) if h.key < r.key => Some((h.key, false)),
            (Some(r), _) => Some((r.key, true)),
            (None, Some(h)) => Some((h.key, false)),
            (None, None) => None,
        }
    }

    /// Removes and returns the earliest event with its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let (_, from_run) = self.earliest()?;
        let e = if from_run {
            self.run.pop_front()
        } else {
            self.heap.pop()
        };
        e.map(|e| (time_of(e.key), e.event))
    }

    /// Time of the earliest event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.earliest().map(|(key, _)| time_of(key))
    }

    /// The `k`-th next event (0: the first) of the in-order run, if the run
    /// is that long: an event that will come due soon, whatever the heap
    /// holds, for a model to prefetch what it will touch.
    #[inline]
    pub fn run_ahead(&self, k: usize) -> Option<&E> {
        self.run.get(k).map(|e| &e.event)
    }

    /// Number of queued events.
    #[inline]
    pub fn len(&self) -> usize {
        self.heap.len() + self.run.len()
    }

    /// Whether no event is queued.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.run.is_empty()
    }
}

/// The time [s] of a queue key (its upper 64 bits).
#[inline]
fn time_of(key: u128) -> SimTime {
    ((key >> 64) as u64) as SimTime
}

#[cfg(test)]
mod tests {
    use super::EventQueue;

    #[test]
    fn the_run_and_the_heap_pop_in_key_order() {
        // The same events pushed all to the heap, or partly in order to the
        // run (one out of order, which must fall back to the heap), come out
        // identically: by time, then class, then insertion.
        let events = [
            (5, 3, 'a'),
            (7, 3, 'b'),
            (5, 1, 'c'),
            (9, 3, 'd'),
            (7, 3, 'e'),
        ];
        let mut heap = EventQueue::new();
        let mut mixed = EventQueue::new();
        for (i, &(t, c, e)) in events.iter().enumerate() {
            heap.push(t, c, e);
            if i % 2 == 0 {
                mixed.push_in_order(t, c, e);
            } else {
                mixed.push(t, c, e);
            }
        }
        let drain = |q: &mut EventQueue<char>| std::iter::from_fn(|| q.pop()).collect::<Vec<_>>();
        let want = vec![(5, 'c'), (5, 'a'), (7, 'b'), (7, 'e'), (9, 'd')];
        assert_eq!(drain(&mut heap), want);
        assert_eq!(mixed.len(), 5);
        assert_eq!(mixed.peek_time(), Some(5));
        assert_eq!(drain(&mut mixed), want);
        assert!(mixed.is_empty());
    }
}
