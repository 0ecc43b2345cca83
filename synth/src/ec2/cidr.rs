//! IPv4 CIDR blocks: parsing, carving subnets out of a VPC's block, and
//! overlap checks, all at synthesis time with no account lookups.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 CIDR block, normalized (host bits zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    base: u32,
    prefix: u8,
}

impl Cidr {
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Result<Cidr, String> {
        if prefix > 32 {
            return Err(format!("prefix /{prefix} is longer than 32 bits"));
        }
        let base = u32::from(addr);
        let cidr = Cidr {
            base: base & mask(prefix),
            prefix,
        };
        if cidr.base != base {
            return Err(format!(
                "{addr}/{prefix} has host bits set; did you mean {cidr}?"
            ));
        }
        Ok(cidr)
    }

    pub fn prefix(self) -> u8 {
        self.prefix
    }

    pub fn first(self) -> u32 {
        self.base
    }

    pub fn last(self) -> u32 {
        self.base | !mask(self.prefix)
    }

    pub fn overlaps(self, other: Cidr) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    pub fn contains(self, other: Cidr) -> bool {
        self.first() <= other.first() && other.last() <= self.last()
    }

    /// The `index`-th block of length `prefix` inside this one, if it fits.
    pub fn subnet(self, prefix: u8, index: u32) -> Option<Cidr> {
        if prefix < self.prefix || prefix > 32 {
            return None;
        }
        let bits = prefix - self.prefix;
        if bits < 32 && u64::from(index) >= 1u64 << bits {
            return None;
        }
        let size = if prefix == 32 {
            1u64
        } else {
            1u64 << (32 - prefix)
        };
        let base = u64::from(self.base) + u64::from(index) * size;
        Some(Cidr {
            base: base as u32,
            prefix,
        })
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Cidr, String> {
        let (addr, prefix) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not a CIDR block like 10.0.0.0/16"))?;
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not a CIDR block like 10.0.0.0/16"))?;
        let prefix: u8 = prefix
            .parse()
            .map_err(|_| format!("{s:?} is not a CIDR block like 10.0.0.0/16"))?;
        Cidr::new(addr, prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.prefix)
    }
}

/// The first pair of overlapping blocks, if any.
pub fn first_overlap(blocks: &[Cidr]) -> Option<(Cidr, Cidr)> {
    for (i, a) in blocks.iter().enumerate() {
        for b in &blocks[i + 1..] {
            if a.overlaps(*b) {
                return Some((*a, *b));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(c("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert!("10.0.0.1/16"
            .parse::<Cidr>()
            .unwrap_err()
            .contains("did you mean 10.0.0.0/16"));
        assert!("10.0.0.0".parse::<Cidr>().is_err());
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("300.0.0.0/8".parse::<Cidr>().is_err());
    }

    #[test]
    fn carves_consecutive_subnets() {
        let vpc = c("10.0.0.0/16");
        assert_eq!(vpc.subnet(20, 0), Some(c("10.0.0.0/20")));
        assert_eq!(vpc.subnet(20, 1), Some(c("10.0.16.0/20")));
        assert_eq!(vpc.subnet(20, 15), Some(c("10.0.240.0/20")));
        assert_eq!(vpc.subnet(20, 16), None);
        assert_eq!(vpc.subnet(15, 0), None);
        assert_eq!(
            c("0.0.0.0/0").subnet(32, u32::MAX),
            Some(c("255.255.255.255/32"))
        );
    }

    #[test]
    fn detects_overlaps() {
        assert!(c("10.0.0.0/16").overlaps(c("10.0.5.0/24")));
        assert!(!c("10.0.0.0/24").overlaps(c("10.0.1.0/24")));
        assert!(c("10.0.0.0/16").contains(c("10.0.255.0/24")));
        assert_eq!(
            first_overlap(&[c("10.0.0.0/24"), c("10.0.1.0/24"), c("10.0.1.128/25")]),
            Some((c("10.0.1.0/24"), c("10.0.1.128/25")))
        );
    }
}
