//! A Merkle tree over the audit log, as Certificate Transparency builds one (RFC 6962 §2.1,
//! RFC 9162 §2.1): leaf hashes `SHA-256(0x00 ‖ data)`, interior nodes
//! `SHA-256(0x01 ‖ left ‖ right)`, the split at the largest power of two below the size.
//! With it an auditor checks in O(log n) that an event is in the log (inclusion proof) and that
//! today's log only grew from a checkpoint they kept (consistency proof). Pure.

use sha2::{Digest, Sha256};

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// The hash of a leaf's data.
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new().chain_update([0u8]).chain_update(data).finalize().into()
}

/// The hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new().chain_update([1u8]).chain_update(left).chain_update(right).finalize().into()
}

/// The root of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The root over leaf hashes, computed bottom-up in O(n) time and O(log n) extra space.
pub fn root(leaves: &[Hash]) -> Hash {
    if leaves.is_empty() {
        return empty_root();
    }
    // A stack of (height, hash) of complete subtrees, merged as in a binary counter; the
    // remaining stack is folded right to left, which yields RFC 6962's left-balanced shape.
    let mut stack: Vec<(u32, Hash)> = Vec::new();
    for leaf in leaves {
        let mut node = (0u32, *leaf);
        while let Some(&(height, top)) = stack.last() {
            if height != node.0 {
                break;
            }
            stack.pop();
            node = (height + 1, node_hash(&top, &node.1));
        }
        stack.push(node);
    }
    let mut acc = stack.pop().expect("non-empty").1;
    while let Some((_, left)) = stack.pop() {
        acc = node_hash(&left, &acc);
    }
    acc
}

/// The inclusion proof of leaf `index` in the tree of `leaves` (RFC 6962 §2.1.1 PATH).
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    path(index, leaves, &mut proof);
    Some(proof)
}

fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
    if d.len() <= 1 {
        return;
    }
    let k = split(d.len());
    if m < k {
        path(m, &d[..k], out);
        out.push(root(&d[k..]));
    } else {
        path(m - k, &d[k..], out);
        out.push(root(&d[..k]));
    }
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], expected_root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f_n, mut s_n) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && r == *expected_root
}

/// The consistency proof that the first `old_size` leaves are a prefix of `leaves`
/// (RFC 6962 §2.1.2 PROOF).
pub fn consistency_proof(old_size: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    if old_size == 0 || old_size > leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    subproof(old_size, leaves, true, &mut proof);
    Some(proof)
}

fn subproof(m: usize, d: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = d.len();
    if m == n {
        if !complete {
            out.push(root(d));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &d[..k], complete, out);
        out.push(root(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(root(&d[..k]));
    }
}

/// Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2).
pub fn verify_consistency(old_size: u64, new_size: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if old_size == 0 || old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    let mut proof: Vec<Hash> = proof.to_vec();
    if old_size.is_power_of_two() {
        proof.insert(0, *old_root);
    }
    let Some((first, rest)) = proof.split_first() else { return false };
    let (mut f_n, mut s_n) = (old_size - 1, new_size - 1);
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    s_n == 0 && fr == *old_root && sr == *new_root
}

/// A tree kept in memory with every complete subtree's root, so that roots of prefixes and
/// proofs cost O(log n) each instead of O(n): for a bundle holding proofs of many events.
#[derive(Debug)]
pub struct MerkleTree {
    /// `levels[h][i]`: the root of the complete subtree of 2^h leaves starting at leaf i·2^h.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the levels over leaf hashes (O(n) hashing).
    pub fn new(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while levels.last().expect("one level").len() > 1 {
            let below = levels.last().expect("one level");
            let next: Vec<Hash> = below.chunks_exact(2).map(|pair| node_hash(&pair[0], &pair[1])).collect();
            levels.push(next);
        }
        MerkleTree { levels }
    }

    /// The number of leaves.
    pub fn size(&self) -> usize {
        self.levels[0].len()
    }

    /// The root of leaves `start .. start + len` (a subtree of the RFC 6962 shape: complete
    /// power-of-two pieces are looked up, only the right edge is hashed).
    fn subtree(&self, start: usize, len: usize) -> Hash {
        if len == 0 {
            return empty_root();
        }
        if len.is_power_of_two() && start.is_multiple_of(len) {
            return self.levels[len.trailing_zeros() as usize][start / len];
        }
        let k = split(len);
        node_hash(&self.subtree(start, k), &self.subtree(start + k, len - k))
    }

    /// The root of the first `size` leaves.
    pub fn root(&self, size: usize) -> Option<Hash> {
        (size <= self.size()).then(|| self.subtree(0, size))
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: usize, size: usize) -> Option<Vec<Hash>> {
        if index >= size || size > self.size() {
            return None;
        }
        let mut out = Vec::new();
        self.path(index, 0, size, &mut out);
        Some(out)
    }

    fn path(&self, m: usize, start: usize, n: usize, out: &mut Vec<Hash>) {
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, k, out);
            out.push(self.subtree(start + k, n - k));
        } else {
            self.path(m - k, start + k, n - k, out);
            out.push(self.subtree(start, k));
        }
    }

    /// The consistency proof from the first `old_size` leaves to the first `size`.
    pub fn consistency_proof(&self, old_size: usize, size: usize) -> Option<Vec<Hash>> {
        if old_size == 0 || old_size > size || size > self.size() {
            return None;
        }
        let mut out = Vec::new();
        self.subproof(old_size, 0, size, true, &mut out);
        Some(out)
    }

    fn subproof(&self, m: usize, start: usize, n: usize, complete: bool, out: &mut Vec<Hash>) {
        if m == n {
            if !complete {
                out.push(self.subtree(start, n));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, k, complete, out);
            out.push(self.subtree(start + k, n - k));
        } else {
            self.subproof(m - k, start + k, n - k, false, out);
            out.push(self.subtree(start, k));
        }
    }
}

/// The right edge of a growing tree: the roots of its complete subtrees, largest first. Enough
/// to add leaves and compute the root in O(log n) each, without the leaves before: the store
/// keeps one so that writing a checkpoint does not rehash the whole log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// (height, root) of each complete subtree, heights strictly decreasing.
    stack: Vec<(u32, Hash)>,
}

impl Frontier {
    /// The number of leaves added.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(height, top)) = self.stack.last() {
            if height != node.0 {
                break;
            }
            self.stack.pop();
            node = (height + 1, node_hash(&top, &node.1));
        }
        self.stack.push(node);
        self.size += 1;
    }

    /// The root of the leaves added so far.
    pub fn root(&self) -> Hash {
        let mut nodes = self.stack.iter().rev();
        let Some(&(_, mut acc)) = nodes.next() else { return empty_root() };
        for (_, left) in nodes {
            acc = node_hash(left, &acc);
        }
        acc
    }

    /// A compact text form for storage: `size` then the subtree roots in hex, space-separated.
    pub fn encode(&self) -> String {
        let mut out = self.size.to_string();
        for (_, h) in &self.stack {
            out.push(' ');
            out.extend(h.iter().map(|b| format!("{b:02x}")));
        }
        out
    }

    /// Reads [`Frontier::encode`]'s form; `None` if it is not one (the caller rebuilds).
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.split(' ');
        let size: u64 = parts.next()?.parse().ok()?;
        let hashes: Vec<Hash> = parts
            .map(|h| {
                if h.len() != 64 {
                    return None;
                }
                let bytes: Option<Vec<u8>> = (0..32).map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok()).collect();
                bytes?.try_into().ok()
            })
            .collect::<Option<_>>()?;
        // The heights are the set bits of the size, largest first.
        let heights: Vec<u32> = (0..64u32).rev().filter(|b| size >> b & 1 == 1).collect();
        if heights.len() != hashes.len() {
            return None;
        }
        Some(Frontier { size, stack: heights.into_iter().zip(hashes).collect() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_frontier_gives_every_prefix_root_and_survives_encoding() {
        let leaves: Vec<Hash> = (0..70u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut frontier = Frontier::default();
        assert_eq!(frontier.root(), empty_root());
        for (n, leaf) in leaves.iter().enumerate() {
            frontier.push(*leaf);
            assert_eq!(frontier.root(), root(&leaves[..=n]), "size {}", n + 1);
            assert_eq!(frontier.size(), n as u64 + 1);
            let again = Frontier::decode(&frontier.encode()).unwrap();
            assert_eq!(again, frontier);
        }
        assert_eq!(Frontier::decode("3 00"), None, "size 3 needs two subtree roots");
        assert_eq!(Frontier::decode("x"), None);
    }

    #[test]
    fn the_kept_tree_gives_the_same_roots_and_proofs() {
        let leaves: Vec<Hash> = (0..77u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = MerkleTree::new(leaves.clone());
        for n in 0..=leaves.len() {
            assert_eq!(tree.root(n).unwrap(), root(&leaves[..n]), "root of {n}");
            for i in (0..n).step_by(7) {
                assert_eq!(tree.inclusion_proof(i, n).unwrap(), inclusion_proof(i, &leaves[..n]).unwrap(), "inclusion {i} of {n}");
            }
            for m in (1..=n).step_by(5) {
                assert_eq!(tree.consistency_proof(m, n).unwrap(), consistency_proof(m, &leaves[..n]).unwrap(), "consistency {m} to {n}");
            }
        }
        assert!(tree.root(78).is_none());
        assert!(tree.inclusion_proof(5, 5).is_none());
        assert!(tree.consistency_proof(0, 5).is_none());
    }

    fn hex(s: &str) -> Hash {
        let v: Vec<u8> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
        v.try_into().unwrap()
    }

    /// The Certificate Transparency reference leaves and roots (RFC 6962 test data).
    fn ct_leaves() -> Vec<Hash> {
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
            .iter()
            .map(|h| leaf_hash(&(0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect::<Vec<_>>()))
            .collect()
    }

    const CT_ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn roots_match_the_reference() {
        let leaves = ct_leaves();
        for (n, expected) in CT_ROOTS.iter().enumerate() {
            assert_eq!(root(&leaves[..n]), hex(expected), "size {n}");
        }
    }

    /// No proof exists from an empty tree or from a larger one, and none verifies.
    #[test]
    fn no_proof_from_an_empty_or_a_larger_tree() {
        let leaves = ct_leaves();
        assert_eq!(consistency_proof(0, &leaves), None);
        assert_eq!(consistency_proof(leaves.len() + 1, &leaves), None);
        assert!(consistency_proof(leaves.len(), &leaves).is_some_and(|p| p.is_empty()));
        let (r1, r8) = (root(&leaves[..1]), root(&leaves));
        let proof = consistency_proof(1, &leaves).unwrap();
        assert!(verify_consistency(1, 8, &r1, &r8, &proof));
        assert!(!verify_consistency(0, 8, &empty_root(), &r8, &proof));
        assert!(!verify_consistency(9, 8, &r1, &r8, &proof));
        assert!(!verify_consistency(8, 1, &r8, &r1, &proof));
        let tree = MerkleTree::new(leaves.clone());
        assert_eq!(tree.consistency_proof(5, 3), None, "from a larger tree");
        assert_eq!(tree.consistency_proof(0, 3), None, "from an empty tree");
        assert_eq!(tree.consistency_proof(1, 9), None, "to more leaves than there are");
        assert_eq!(tree.consistency_proof(3, 5), consistency_proof(3, &leaves[..5]));
    }

    #[test]
    fn proofs_match_the_reference() {
        let leaves = ct_leaves();
        let expected = [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ];
        assert_eq!(inclusion_proof(0, &leaves).unwrap(), expected.map(hex).to_vec());
        assert_eq!(consistency_proof(1, &leaves).unwrap(), expected.map(hex).to_vec());
        let six_of_eight = [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ];
        assert_eq!(consistency_proof(6, &leaves).unwrap(), six_of_eight.map(hex).to_vec());
        let two_of_five = [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ];
        assert_eq!(consistency_proof(2, &leaves[..5]).unwrap(), two_of_five.map(hex).to_vec());
    }

    proptest! {
        #[test]
        fn every_inclusion_proof_verifies_and_tampering_fails(n in 1usize..70, pick in any::<prop::sample::Index>(), flip in 0usize..32) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&(i as u32).to_be_bytes())).collect();
            let r = root(&leaves);
            let i = pick.index(n);
            let proof = inclusion_proof(i, &leaves).unwrap();
            prop_assert!(verify_inclusion(i as u64, n as u64, &leaves[i], &proof, &r));
            let mut bad = leaves[i];
            bad[flip] ^= 1;
            prop_assert!(!verify_inclusion(i as u64, n as u64, &bad, &proof, &r));
            if n > 1 {
                prop_assert!(!verify_inclusion(((i + 1) % n) as u64, n as u64, &leaves[i], &proof, &r));
            }
        }

        #[test]
        fn every_consistency_proof_verifies_and_a_rewrite_fails(n in 1usize..70, m_pick in any::<prop::sample::Index>(), change in any::<prop::sample::Index>()) {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&(i as u32).to_be_bytes())).collect();
            let m = m_pick.index(n) + 1;
            let old_root = root(&leaves[..m]);
            let new_root = root(&leaves);
            let proof = consistency_proof(m, &leaves).unwrap();
            prop_assert!(verify_consistency(m as u64, n as u64, &old_root, &new_root, &proof));
            // Rewrite history: change one of the first m leaves; the new log is no extension.
            let mut rewritten = leaves.clone();
            let c = change.index(m);
            rewritten[c] = leaf_hash(b"rewritten");
            let proof2 = consistency_proof(m, &rewritten).unwrap();
            prop_assert!(!verify_consistency(m as u64, n as u64, &old_root, &root(&rewritten), &proof2));
        }
    }
}
