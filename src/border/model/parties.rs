//! The shared party slab: travel parties in reusable slots, and the ledger of
//! people per level and per final outcome that every move keeps balanced.
//!
//! A party is one slot of [`Party`]; events about it carry its slot and the
//! generation it had when the event was scheduled ([`Pid`]). Every change of
//! a party's place bumps the generation, so an event that was overtaken (a
//! CBP One patience timer of a party that won the lottery) is recognised as
//! stale and dropped in O(1), without searching the queue. A slot freed by a
//! final outcome goes on a free list and is reused, so memory follows the
//! people in the system, not everyone who ever arrived.

use std::ops::{Index, IndexMut};

use super::level;

/// "None" in a `u16` index field of [`Party`].
pub(super) const NONE16: u16 = u16::MAX;
/// "None" in a `u32` index field of [`Party`].
pub(super) const NONE32: u32 = u32::MAX;

/// Plan: register with CBP One and wait for an appointment.
pub(super) const PLAN_CBP_ONE: u8 = 0;
/// Plan: walk up to a port without an appointment.
pub(super) const PLAN_WALK_UP: u8 = 1;
/// Plan: cross between ports.
pub(super) const PLAN_CROSS: u8 = 2;

/// A travel party: one to a few people who move and decide together.
///
/// Aligned to 32 bytes (its size) so that a party never straddles two cache
/// lines: the first read of a slot when its event comes due is a cache miss,
/// and one line is all a prefetch has to fetch (see [`Parties::prefetch`]).
#[derive(Debug, Clone, Copy)]
#[repr(align(32))]
pub(super) struct Party {
    /// Generation, bumped at every change of place (stale-event guard).
    pub(super) generation: u32,
    /// People in the party [persons].
    pub(super) size: u32,
    /// Origin group index.
    pub(super) origin: u16,
    /// Current level (see [`level`]); `u8::MAX` when the slot is free.
    pub(super) level: u8,
    /// Holds papers (transit document) from the hub or a release.
    pub(super) papers: bool,
    /// Current route, or `NONE16` before choosing one.
    pub(super) route: u16,
    /// Leg index within the route.
    pub(super) leg: u8,
    /// Mode of the current leg.
    pub(super) mode: u8,
    /// Hub it last waited at.
    pub(super) hub: u16,
    /// Northern city, or `NONE16`.
    pub(super) city: u16,
    /// Port of its queue or appointment.
    pub(super) port: u16,
    /// Index in its CBP One pool, or `NONE32`.
    pub(super) pool_idx: u32,
    /// Caravan it walks with, or `NONE16`.
    pub(super) caravan: u16,
    /// What it means to do at the border: [`PLAN_CBP_ONE`], [`PLAN_WALK_UP`]
    /// or [`PLAN_CROSS`], drawn on arrival from its origin's shares.
    pub(super) plan: u8,
    /// Times Mexico has relocated it to the south (saturates at 255): the
    /// odds of giving up grow with it.
    pub(super) relocations: u8,
}

/// Whether a party of `size` persons is a family: two or more, CBP's
/// family unit; the one definition that returns, rules and counts use.
pub(super) fn is_family(size: u64) -> bool {
    size >= 2
}

/// A party id in an event: slot and generation when scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pid {
    pub(super) slot: u32,
    pub(super) generation: u32,
}

/// The party slab and its ledger: who is where, and how many people ever
/// arrived or reached each final outcome.
#[derive(Debug, Default)]
pub(super) struct Parties {
    /// Every slot, free or taken.
    slots: Vec<Party>,
    /// Freed slots, reused last-freed first.
    free: Vec<u32>,
    /// People per level [persons].
    pub(super) level: [u64; level::N],
    /// People per final outcome, cumulative [persons].
    pub(super) outcome: [u64; 5],
    /// People who ever arrived, cumulative [persons].
    pub(super) arrived: u64,
}

impl Index<u32> for Parties {
    type Output = Party;
    fn index(&self, slot: u32) -> &Party {
        &self.slots[slot as usize]
    }
}

impl IndexMut<u32> for Parties {
    fn index_mut(&mut self, slot: u32) -> &mut Party {
        &mut self.slots[slot as usize]
    }
}

impl Parties {
    /// Takes a slot (a freed one first) for a new party of `size` people
    /// [persons] from `origin`, at level `lvl`, with border plan `plan`.
    pub(super) fn add(&mut self, origin: u16, size: u32, lvl: usize, plan: u8) -> u32 {
        let party = Party {
            plan,
            generation: 0,
            size,
            origin,
            level: lvl as u8,
            papers: false,
            route: NONE16,
            leg: 0,
            mode: 0,
            hub: 0,
            city: NONE16,
            port: NONE16,
            pool_idx: NONE32,
            caravan: NONE16,
            relocations: 0,
        };
        self.level[lvl] += u64::from(size);
        self.arrived += u64::from(size);
        match self.free.pop() {
            Some(slot) => {
                let generation = self.slots[slot as usize].generation.wrapping_add(1);
                self.slots[slot as usize] = Party {
                    generation,
                    ..party
                };
                slot
            }
            None => {
                self.slots.push(party);
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Moves a party to level `lvl` and returns its new id (older events
    /// about it become stale).
    pub(super) fn goto(&mut self, slot: u32, lvl: usize) -> Pid {
        let pt = &mut self.slots[slot as usize];
        self.level[pt.level as usize] -= u64::from(pt.size);
        self.level[lvl] += u64::from(pt.size);
        pt.level = lvl as u8;
        pt.generation = pt.generation.wrapping_add(1);
        Pid {
            slot,
            generation: pt.generation,
        }
    }

    /// Ends a party in final outcome `o` and frees its slot.
    pub(super) fn finish(&mut self, slot: u32, o: usize) {
        let pt = &mut self.slots[slot as usize];
        self.level[pt.level as usize] -= u64::from(pt.size);
        self.outcome[o] += u64::from(pt.size);
        pt.level = u8::MAX;
        pt.generation = pt.generation.wrapping_add(1);
        self.free.push(slot);
    }

    /// People in the party in `slot` [persons].
    pub(super) fn size(&self, slot: u32) -> u32 {
        self.slots[slot as usize].size
    }

    /// Whether the party in `slot` is a family ([`is_family`]).
    pub(super) fn is_family(&self, slot: u32) -> bool {
        is_family(self.size(slot).into())
    }

    /// Asks the processor to start loading the party in `slot` into the
    /// cache without waiting for it; changes nothing.
    ///
    /// Why: the slab (~100,000 parties at the December peak) is far larger
    /// than the cache and a party's events are days apart, so the first read
    /// of a slot when its event comes due missed the cache nearly every
    /// time (a third of a baseline replication). Prefetching the slots of a
    /// whole hour's bucket when it enters the queue lets those misses
    /// overlap instead of waiting one after another.
    #[inline]
    pub(super) fn prefetch(&self, slot: u32) {
        #[cfg(target_arch = "x86_64")]
        if let Some(pt) = self.slots.get(slot as usize) {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch is a hint that never faults and changes no
            // memory; the pointer comes from a live reference anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(pt).cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// Whether an event about `pid` still concerns the party as it is now.
    pub(super) fn is_current(&self, pid: Pid) -> bool {
        self.slots[pid.slot as usize].generation == pid.generation
    }

    /// People in the system now [persons].
    pub(super) fn in_system(&self) -> u64 {
        self.level.iter().sum()
    }

    /// Arrivals minus (in system + final outcomes): zero when nothing is lost.
    pub(super) fn conservation_error(&self) -> i64 {
        self.arrived as i64 - self.in_system() as i64 - self.outcome.iter().sum::<u64>() as i64
    }
}
