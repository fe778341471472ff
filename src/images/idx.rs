//! The IDX format of the MNIST family (LeCun et al., "The MNIST database"): a magic number
//! whose third byte is the element type (0x08, unsigned bytes) and whose fourth is the number
//! of axes, then each axis's size as a big-endian u32, then the elements, row-major.
//!
//! Only unsigned bytes are read (MNIST and Fashion-MNIST use nothing else). Parsing is from
//! bytes, so it runs anywhere; decompressing the `.gz` files is the caller's business.

/// An IDX array of unsigned bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    /// The size of each axis, outermost first.
    pub dims: Vec<usize>,
    /// The elements, row-major.
    pub data: Vec<u8>,
}

/// The type code of unsigned bytes.
const UNSIGNED_BYTE: u8 = 0x08;

/// Parses an IDX file of unsigned bytes (`what` names it in errors).
pub fn parse(what: &str, bytes: &[u8]) -> Result<IdxArray, String> {
    let header = bytes.get(..4).ok_or_else(|| {
        format!(
            "{what} is too short to be an IDX file ({} bytes)",
            bytes.len()
        )
    })?;
    if header[0] != 0 || header[1] != 0 {
        return Err(format!(
            "{what} is not an IDX file (its magic number starts {:02x} {:02x}, not 00 00)",
            header[0], header[1]
        ));
    }
    if header[2] != UNSIGNED_BYTE {
        return Err(format!(
            "{what} holds elements of type 0x{:02x}; only unsigned bytes (0x08) are read",
            header[2]
        ));
    }
    let rank = header[3] as usize;
    if rank == 0 {
        return Err(format!("{what} declares no axes"));
    }
    let dims: Vec<usize> = (0..rank)
        .map(|k| {
            let at = 4 + 4 * k;
            bytes
                .get(at..at + 4)
                .map(|b| u32::from_be_bytes(b.try_into().expect("4 bytes")) as usize)
                .ok_or_else(|| format!("{what} is truncated in its header"))
        })
        .collect::<Result<_, _>>()?;
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("{what} declares more elements than fit in memory: {dims:?}"))?;
    let start = 4 + 4 * rank;
    let body = &bytes[start.min(bytes.len())..];
    if body.len() != count {
        return Err(format!(
            "{what} should hold {count} bytes of data for shape {dims:?} but holds {}{}",
            body.len(),
            if body.len() < count {
                " (the file is truncated)"
            } else {
                ""
            }
        ));
    }
    Ok(IdxArray {
        dims,
        data: body.to_vec(),
    })
}

/// An IDX file of unsigned bytes with the given shape and data (the tests' own files).
#[cfg(test)]
pub(crate) fn encode(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
    for d in dims {
        out.extend_from_slice(&d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::encode as idx;
    use super::*;

    #[test]
    fn reads_images_and_labels() {
        let images = parse(
            "images",
            &idx(&[2, 2, 3], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        )
        .unwrap();
        assert_eq!(images.dims, [2, 2, 3]);
        assert_eq!(images.data[5], 6);
        let labels = parse("labels", &idx(&[3], &[9, 0, 4])).unwrap();
        assert_eq!(labels.dims, [3]);
        assert_eq!(labels.data, [9, 0, 4]);
    }

    #[test]
    fn damaged_files_are_explained() {
        let good = idx(&[2, 2], &[1, 2, 3, 4]);
        let err = |b: &[u8]| parse("f", b).unwrap_err();
        assert!(err(&good[..2]).contains("too short"));
        assert!(err(&good[..6]).contains("truncated in its header"));
        assert!(err(&good[..good.len() - 1]).contains("truncated"));
        let mut longer = good.clone();
        longer.push(0);
        assert!(err(&longer).contains("holds 5"));
        let mut magic = good.clone();
        magic[0] = 0x1f; // a gzip file not yet decompressed
        assert!(err(&magic).contains("not an IDX file"));
        let mut floats = good.clone();
        floats[2] = 0x0d;
        assert!(err(&floats).contains("type 0x0d"));
        assert!(err(&[0, 0, 8, 0]).contains("no axes"));
        let huge = idx(&[u32::MAX, u32::MAX, u32::MAX], &[]);
        assert!(err(&huge).contains("more elements") || err(&huge).contains("should hold"));
    }
}
