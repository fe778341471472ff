//! The model-file reader against damaged and hostile files (proptest): cut short anywhere, bits
//! flipped anywhere, and, behind a checksum made to match, changed bytes, absurd lengths and
//! random contents that reach the card's and the weights' parsers. It never panics, and refuses
//! every damaged file with a reason before a tensor is built.

use super::*;
use crate::points::{MlpDenoiserConfig, PointsCard};
use crate::train::TrainConfig;
use proptest::prelude::*;
use std::sync::LazyLock;

/// A small 2D denoiser's file (width 16, one hidden layer: about 2 kB of weights).
static FILE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let config = MlpDenoiserConfig::new().with_width(16).with_depth(1);
    let card = PointsCard::new(
        config.clone(),
        TrainConfig::new(),
        "dataset moons".into(),
        7,
    );
    to_bytes(&config.init(&Device::flex()), &card).unwrap()
});

/// Where the card's length is in [`FILE`].
const CARD_AT: usize = 13 + PointsCard::KIND.len();

/// What the reader says of `bytes`: `Ok` when it loads a 2D denoiser, else its reason.
fn read(bytes: &[u8]) -> Result<(), String> {
    from_bytes::<PointsCard>(bytes, &Device::flex()).map(|_| ())
}

/// A refusal with a reason a person can read.
fn refused(bytes: &[u8]) -> Result<String, TestCaseError> {
    match read(bytes) {
        Ok(()) => Err(TestCaseError::fail("a damaged file was loaded")),
        Err(reason) if reason.trim().is_empty() => Err(TestCaseError::fail("no reason given")),
        Err(reason) => Ok(reason),
    }
}

#[test]
fn the_file_itself_loads() {
    assert_eq!(read(&FILE), Ok(()));
    assert_eq!(kind_of(&FILE).unwrap(), PointsCard::KIND);
}

#[test]
fn version_2_files_without_a_checksum_still_load() {
    let mut v2 = FILE[..8].to_vec();
    v2[4] = 2;
    v2.extend_from_slice(&FILE[CHECKED_FROM..]);
    assert_eq!(read(&v2), Ok(()));
}

/// A weight said to be a 32-bit integer (the same size as a float, so its bytes fit) behind
/// a matching checksum: burn would panic on it; the reader refuses it by name. (Found by
/// `changed_bytes_behind_a_matching_checksum_never_panic`, one byte changed.)
#[test]
fn weights_that_are_not_floats_are_refused() {
    let len = u32::from_le_bytes(FILE[CARD_AT..CARD_AT + 4].try_into().unwrap()) as usize;
    let weights_at = CARD_AT + 4 + len;
    let weights = Bytes::from_bytes_vec(FILE[weights_at..].to_vec());
    let mut tensors = burn_pack::Reader::from_bytes(weights)
        .and_then(burn_pack::Reader::into_tensors)
        .unwrap();
    tensors[0].dtype = DType::U32;
    let name = tensors[0].name.clone();
    let mut bytes = FILE[..weights_at].to_vec();
    bytes.extend_from_slice(&burn_pack::Writer::new(tensors).into_bytes().unwrap());
    seal(&mut bytes);
    let reason = read(&bytes).unwrap_err();
    assert!(reason.contains(&name) && reason.contains("U32"), "{reason}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_file_cut_short_anywhere_is_refused(len in 0..FILE.len()) {
        refused(&FILE[..len])?;
    }

    #[test]
    fn flipped_bits_anywhere_are_refused(
        flips in proptest::collection::vec((0..FILE.len(), 0..8u8), 1..4),
    ) {
        let mut bytes = FILE.clone();
        for (at, bit) in flips {
            bytes[at] ^= 1 << bit;
        }
        prop_assume!(bytes != *FILE); // two flips of one bit undo each other
        refused(&bytes)?;
    }

    #[test]
    fn a_flipped_bit_in_the_header_or_the_card_is_refused(at in 0..CARD_AT + 200, bit in 0..8u8) {
        let mut bytes = FILE.clone();
        bytes[at] ^= 1 << bit;
        refused(&bytes)?;
    }

    /// Changes the checksum cannot see (a file made so on purpose) reach the parsers of the
    /// card and of the weights: they may load (a changed weight is still a weight) but never
    /// panic.
    #[test]
    fn changed_bytes_behind_a_matching_checksum_never_panic(
        changes in proptest::collection::vec((CHECKED_FROM..FILE.len(), any::<u8>()), 1..8),
    ) {
        let mut bytes = FILE.clone();
        for (at, value) in changes {
            bytes[at] = value;
        }
        seal(&mut bytes);
        let _ = read(&bytes);
    }

    #[test]
    fn an_absurd_card_length_is_refused(len in any::<u32>()) {
        let mut bytes = FILE.clone();
        let real = u32::from_le_bytes(bytes[CARD_AT..CARD_AT + 4].try_into().unwrap());
        prop_assume!(len != real);
        bytes[CARD_AT..CARD_AT + 4].copy_from_slice(&len.to_le_bytes());
        seal(&mut bytes);
        refused(&bytes)?;
    }

    #[test]
    fn random_bytes_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        refused(&bytes)?;
    }

    /// A valid header and checksum over random contents.
    #[test]
    fn random_contents_behind_a_valid_header_are_refused(
        kind in proptest::collection::vec(any::<u8>(), 0..40),
        rest in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = FILE[..CHECKED_FROM].to_vec();
        bytes.push(kind.len() as u8);
        bytes.extend_from_slice(&kind);
        bytes.extend_from_slice(&rest);
        seal(&mut bytes);
        refused(&bytes)?;
    }

    /// The real header, kind and card over random weights.
    #[test]
    fn random_weights_behind_a_valid_card_are_refused(
        weights in proptest::collection::vec(any::<u8>(), 0..3000),
    ) {
        let len = u32::from_le_bytes(FILE[CARD_AT..CARD_AT + 4].try_into().unwrap()) as usize;
        let mut bytes = FILE[..CARD_AT + 4 + len].to_vec();
        bytes.extend_from_slice(&weights);
        seal(&mut bytes);
        refused(&bytes)?;
    }
}
