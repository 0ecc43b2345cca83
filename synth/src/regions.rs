//! The AWS regions and partitions: the one list the library, the generated
//! resource metadata and the command line all use.

use std::fmt;

/// An AWS partition: a group of regions with its own ARNs and endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Partition {
    /// The name in ARNs (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub name: &'static str,
    /// The domain of its service endpoints (`AWS::URLSuffix`).
    pub url_suffix: &'static str,
}

pub const AWS: Partition = Partition {
    name: "aws",
    url_suffix: "amazonaws.com",
};
pub const AWS_CN: Partition = Partition {
    name: "aws-cn",
    url_suffix: "amazonaws.com.cn",
};
pub const AWS_US_GOV: Partition = Partition {
    name: "aws-us-gov",
    url_suffix: "amazonaws.com",
};
pub const AWS_ISO: Partition = Partition {
    name: "aws-iso",
    url_suffix: "c2s.ic.gov",
};
pub const AWS_ISO_B: Partition = Partition {
    name: "aws-iso-b",
    url_suffix: "sc2s.sgov.gov",
};
pub const AWS_ISO_E: Partition = Partition {
    name: "aws-iso-e",
    url_suffix: "cloud.adc-e.uk",
};
pub const AWS_ISO_F: Partition = Partition {
    name: "aws-iso-f",
    url_suffix: "csp.hci.ic.gov",
};
pub const AWS_EUSC: Partition = Partition {
    name: "aws-eusc",
    url_suffix: "amazonaws.eu",
};

/// A real AWS region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Region {
    pub name: &'static str,
    pub partition: Partition,
}

macro_rules! regions {
    ($($name:literal => $partition:ident),* $(,)?) => {
        /// Every region, in a fixed order: a [`RegionSet`] bit is an index here.
        pub const REGIONS: &[Region] = &[$(Region { name: $name, partition: $partition }),*];
    };
}

regions! {
    "af-south-1" => AWS,
    "ap-east-1" => AWS,
    "ap-east-2" => AWS,
    "ap-northeast-1" => AWS,
    "ap-northeast-2" => AWS,
    "ap-northeast-3" => AWS,
    "ap-south-1" => AWS,
    "ap-south-2" => AWS,
    "ap-southeast-1" => AWS,
    "ap-southeast-2" => AWS,
    "ap-southeast-3" => AWS,
    "ap-southeast-4" => AWS,
    "ap-southeast-5" => AWS,
    "ap-southeast-6" => AWS,
    "ap-southeast-7" => AWS,
    "ca-central-1" => AWS,
    "ca-west-1" => AWS,
    "cn-north-1" => AWS_CN,
    "cn-northwest-1" => AWS_CN,
    "eu-central-1" => AWS,
    "eu-central-2" => AWS,
    "eu-isoe-west-1" => AWS_ISO_E,
    "eu-north-1" => AWS,
    "eu-south-1" => AWS,
    "eu-south-2" => AWS,
    "eu-west-1" => AWS,
    "eu-west-2" => AWS,
    "eu-west-3" => AWS,
    "eusc-de-east-1" => AWS_EUSC,
    "il-central-1" => AWS,
    "me-central-1" => AWS,
    "me-south-1" => AWS,
    "mx-central-1" => AWS,
    "sa-east-1" => AWS,
    "us-east-1" => AWS,
    "us-east-2" => AWS,
    "us-gov-east-1" => AWS_US_GOV,
    "us-gov-west-1" => AWS_US_GOV,
    "us-iso-east-1" => AWS_ISO,
    "us-iso-west-1" => AWS_ISO,
    "us-isob-east-1" => AWS_ISO_B,
    "us-isob-west-1" => AWS_ISO_B,
    "us-isof-east-1" => AWS_ISO_F,
    "us-isof-south-1" => AWS_ISO_F,
    "us-west-1" => AWS,
    "us-west-2" => AWS,
}

impl Region {
    /// The region of that exact name. Names are lower case; pseudo regions
    /// such as `aws-global` are not regions.
    pub fn find(name: &str) -> Option<Region> {
        REGIONS.iter().copied().find(|r| r.name == name)
    }

    fn index(self) -> usize {
        REGIONS
            .iter()
            .position(|r| r.name == self.name)
            .unwrap_or(usize::MAX)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A set of regions, one bit per entry of [`REGIONS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegionSet(pub u64);

impl RegionSet {
    pub fn contains(self, region: Region) -> bool {
        let i = region.index();
        i < 64 && self.0 & (1 << i) != 0
    }

    pub fn insert(&mut self, region: Region) {
        let i = region.index();
        if i < 64 {
            self.0 |= 1 << i;
        }
    }

    pub fn iter(self) -> impl Iterator<Item = Region> {
        REGIONS
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, r)| *r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_fits_in_a_region_set_and_has_no_duplicates() {
        assert!(REGIONS.len() <= 64);
        let mut names: Vec<_> = REGIONS.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGIONS.len());
    }

    #[test]
    fn finds_regions_and_their_partitions() {
        assert_eq!(
            Region::find("us-gov-west-1").map(|r| r.partition),
            Some(AWS_US_GOV)
        );
        assert_eq!(
            Region::find("cn-north-1").map(|r| r.partition.name),
            Some("aws-cn")
        );
        assert_eq!(Region::find("aws-global"), None);
        assert_eq!(Region::find("US-EAST-2"), None);
        assert_eq!(Region::find("eu-west-99"), None);
    }

    #[test]
    fn region_set_round_trips() {
        let mut set = RegionSet::default();
        let r = Region::find("eu-central-1").unwrap();
        assert!(!set.contains(r));
        set.insert(r);
        assert!(set.contains(r));
        assert_eq!(set.iter().collect::<Vec<_>>(), vec![r]);
    }
}
