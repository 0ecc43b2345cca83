//! EC2 networking constructs: a VPC with public and private subnets across
//! availability zones, and security groups with described rules.
//!
//! ```
//! use synth::prelude::*;
//! use synth::ec2::Vpc;
//!
//! let mut app = App::new();
//! let stack = app.stack("Net");
//! let vpc = stack.add("Vpc", Vpc::builder().cidr("10.0.0.0/16").azs(2).nat_gateways(1));
//! assert_eq!(vpc.private_subnets().len(), 2);
//! app.synth().expect("valid");
//! ```
//!
//! A VPC, subnet or security group made elsewhere is used by ID wherever a
//! built one is accepted (`Vpc::from_attributes`, `Subnet::from_attributes`,
//! `SecurityGroup::from_id`), and rules can be added to a group after it
//! is built, from either side of the connection:
//!
//! ```
//! use synth::prelude::*;
//! use synth::ec2::{Port, SecurityGroup, Vpc};
//!
//! let mut app = App::new();
//! let stack = app.stack("Net");
//! let vpc = Vpc::from_id("vpc-0123456789abcdef0");
//! let db = stack.add("Db", SecurityGroup::builder(&vpc, "database"));
//! let nodes = SecurityGroup::from_id("sg-0123456789abcdef0");
//! stack.add("DbFromNodes", db.allow_from(&nodes, Port::Tcp(5432), "PostgreSQL from the nodes"));
//! app.synth().expect("valid");
//! ```

pub mod cidr;

use crate::aws::ec2 as cfn;
use crate::construct::{Construct, HasNode};
use crate::element_ids::NodeId;
use crate::fns;
use crate::resource::Handle;
use crate::stack::Scope;
use crate::value::Val;
use cidr::Cidr;

/// Public subnets: reachable from the internet through the gateway.
pub const ELB_TAG: &str = "kubernetes.io/role/elb";
/// Private subnets: for internal load balancers.
pub const INTERNAL_ELB_TAG: &str = "kubernetes.io/role/internal-elb";

/// Whether a subnet routes to the internet through the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubnetKind {
    Public,
    Private,
}

/// A subnet's availability zone: an index into `Fn::GetAZs` for subnets
/// built here, a zone name for imported ones.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    Index(u32),
    Name(String),
}

/// A subnet: built by a [`Vpc`], or imported by ID.
#[derive(Clone, Debug)]
pub struct Subnet {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnSubnet>>,
    id: Val<String>,
    kind: SubnetKind,
    zone: Zone,
    cidr: Option<Cidr>,
    path: String,
}

/// What identifies an existing subnet.
#[derive(Clone, Debug)]
pub struct SubnetAttributes {
    pub subnet_id: Val<String>,
    /// Its zone's name, `us-east-2a`.
    pub availability_zone: String,
    pub kind: SubnetKind,
}

impl HasNode for Subnet {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Subnet {
    /// An existing subnet.
    pub fn from_attributes(attributes: SubnetAttributes) -> Subnet {
        Subnet {
            node: None,
            handle: None,
            id: attributes.subnet_id,
            kind: attributes.kind,
            zone: Zone::Name(attributes.availability_zone),
            cidr: None,
            path: String::new(),
        }
    }

    pub fn id(&self) -> Val<String> {
        self.id.clone()
    }

    /// The `AWS::EC2::Subnet` resource, when the subnet was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnSubnet>> {
        self.handle
    }

    pub fn kind(&self) -> SubnetKind {
        self.kind
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The zone as a template value.
    pub fn availability_zone(&self) -> Val<String> {
        match &self.zone {
            Zone::Index(i) => fns::select(i64::from(*i), fns::get_azs()),
            Zone::Name(name) => name.as_str().into(),
        }
    }

    /// The subnet's block, when built here.
    pub fn cidr(&self) -> Option<Cidr> {
        self.cidr
    }

    /// The construct path, or `""` for an imported subnet.
    pub fn construct_path(&self) -> &str {
        &self.path
    }
}

/// A VPC, being configured; add it with [`Scope::add`] to get a [`Vpc`].
#[derive(Clone, Debug)]
pub struct VpcBuilder {
    cidr: String,
    azs: u32,
    nat_gateways: Option<u32>,
    public_prefix: u8,
    private_prefix: u8,
    public_cidrs: Option<Vec<String>>,
    private_cidrs: Option<Vec<String>>,
    kubernetes_tags: KubernetesTags,
}

/// Whether subnets carry the tags Kubernetes load balancer controllers
/// use to find them (`kubernetes.io/role/elb` on public subnets,
/// `kubernetes.io/role/internal-elb` on private ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubernetesTags {
    On,
    Off,
}

/// A VPC with one public and one private subnet per availability zone:
/// built in a stack, or imported by ID.
#[derive(Clone, Debug)]
pub struct Vpc {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnVpc>>,
    id: Val<String>,
    public: Vec<Subnet>,
    private: Vec<Subnet>,
    cidr: Option<Cidr>,
    nat_gateways: u32,
    path: String,
}

/// What identifies an existing VPC and its subnets. Subnet `i` of each
/// kind lies in zone `i` modulo the number of zones.
#[derive(Clone, Debug)]
pub struct VpcAttributes {
    pub vpc_id: Val<String>,
    /// Its IPv4 block, when rules or checks need it.
    pub cidr: Option<String>,
    /// Zone names, `["us-east-2a", "us-east-2b"]`.
    pub availability_zones: Vec<String>,
    pub public_subnet_ids: Vec<Val<String>>,
    pub private_subnet_ids: Vec<Val<String>>,
}

impl HasNode for Vpc {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl Vpc {
    /// Defaults: `10.0.0.0/16`, two availability zones, one NAT gateway,
    /// /20 subnets, Kubernetes subnet tags on.
    pub fn builder() -> VpcBuilder {
        VpcBuilder {
            cidr: "10.0.0.0/16".into(),
            azs: 2,
            nat_gateways: None,
            public_prefix: 20,
            private_prefix: 20,
            public_cidrs: None,
            private_cidrs: None,
            kubernetes_tags: KubernetesTags::On,
        }
    }

    /// An existing VPC with its subnets.
    pub fn from_attributes(attributes: VpcAttributes) -> Vpc {
        let zones = attributes.availability_zones;
        let subnets = |ids: Vec<Val<String>>, kind: SubnetKind| -> Vec<Subnet> {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| Subnet {
                    node: None,
                    handle: None,
                    id,
                    kind,
                    zone: match zones.len() {
                        0 => Zone::Name(String::new()),
                        n => Zone::Name(zones[i % n].clone()),
                    },
                    cidr: None,
                    path: String::new(),
                })
                .collect()
        };
        Vpc {
            node: None,
            handle: None,
            id: attributes.vpc_id,
            public: subnets(attributes.public_subnet_ids, SubnetKind::Public),
            private: subnets(attributes.private_subnet_ids, SubnetKind::Private),
            cidr: attributes.cidr.and_then(|c| c.parse().ok()),
            nat_gateways: 0,
            path: String::new(),
        }
    }

    /// An existing VPC known only by ID (no subnets).
    pub fn from_id(vpc_id: impl Into<Val<String>>) -> Vpc {
        Vpc::from_attributes(VpcAttributes {
            vpc_id: vpc_id.into(),
            cidr: None,
            availability_zones: Vec::new(),
            public_subnet_ids: Vec::new(),
            private_subnet_ids: Vec::new(),
        })
    }

    pub fn id(&self) -> Val<String> {
        self.id.clone()
    }

    /// The `AWS::EC2::VPC` resource, when the VPC was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnVpc>> {
        self.handle
    }

    pub fn public_subnets(&self) -> &[Subnet] {
        &self.public
    }

    pub fn private_subnets(&self) -> &[Subnet] {
        &self.private
    }

    /// The IDs of the subnets of one kind.
    pub fn subnet_ids(&self, kind: SubnetKind) -> Vec<Val<String>> {
        let subnets = match kind {
            SubnetKind::Public => &self.public,
            SubnetKind::Private => &self.private,
        };
        subnets.iter().map(Subnet::id).collect()
    }

    /// The construct path, or `""` for an imported VPC.
    pub fn construct_path(&self) -> &str {
        &self.path
    }

    /// The VPC's block, when it was valid (or given on import).
    pub fn cidr(&self) -> Option<Cidr> {
        self.cidr
    }

    /// How many NAT gateways serve the private subnets (0 when imported).
    pub fn nat_gateway_count(&self) -> u32 {
        self.nat_gateways
    }
}

impl VpcBuilder {
    /// The VPC's IPv4 block, `/16` to `/28`. Default: `10.0.0.0/16`.
    pub fn cidr(mut self, cidr: impl Into<String>) -> Self {
        self.cidr = cidr.into();
        self
    }

    /// How many availability zones to spread subnets over (`Fn::GetAZs`
    /// picks them in the deploy region; no account lookups). Default: 2.
    pub fn azs(mut self, count: u32) -> Self {
        self.azs = count;
        self
    }

    /// NAT gateways for the private subnets: 0 (private subnets without
    /// internet), 1 (shared, cheapest) up to one per zone (resilient).
    /// Default: 1.
    pub fn nat_gateways(mut self, count: u32) -> Self {
        self.nat_gateways = Some(count);
        self
    }

    /// Prefix length of the computed public subnet blocks. Default: 20.
    pub fn public_subnet_prefix(mut self, prefix: u8) -> Self {
        self.public_prefix = prefix;
        self
    }

    /// Prefix length of the computed private subnet blocks. Default: 20.
    pub fn private_subnet_prefix(mut self, prefix: u8) -> Self {
        self.private_prefix = prefix;
        self
    }

    /// Explicit public subnet blocks, one per zone, instead of computed
    /// ones; give the private ones too. They must lie in the VPC block and
    /// not overlap. Default: computed.
    pub fn public_subnet_cidrs<S: Into<String>>(
        mut self,
        blocks: impl IntoIterator<Item = S>,
    ) -> Self {
        self.public_cidrs = Some(blocks.into_iter().map(Into::into).collect());
        self
    }

    /// Explicit private subnet blocks, one per zone; see
    /// [`VpcBuilder::public_subnet_cidrs`]. Default: computed.
    pub fn private_subnet_cidrs<S: Into<String>>(
        mut self,
        blocks: impl IntoIterator<Item = S>,
    ) -> Self {
        self.private_cidrs = Some(blocks.into_iter().map(Into::into).collect());
        self
    }

    /// Whether to tag subnets for Kubernetes load balancers. Default: on.
    pub fn kubernetes_tags(mut self, tags: KubernetesTags) -> Self {
        self.kubernetes_tags = tags;
        self
    }

    /// Computes the subnet blocks, or says why they cannot be.
    fn plan(&self) -> Result<(Vec<Cidr>, Vec<Cidr>), String> {
        let vpc: Cidr = self.cidr.parse().map_err(|e| format!("VPC CIDR: {e}"))?;
        if !(16..=28).contains(&vpc.prefix()) {
            return Err(format!("VPC CIDR {vpc} must be between /16 and /28"));
        }
        let (public, private) = match (&self.public_cidrs, &self.private_cidrs) {
            (Some(public), Some(private)) => {
                let parse = |blocks: &[String]| -> Result<Vec<Cidr>, String> {
                    blocks
                        .iter()
                        .map(|b| b.parse::<Cidr>().map_err(|e| format!("subnet CIDR: {e}")))
                        .collect()
                };
                let (public, private) = (parse(public)?, parse(private)?);
                for (kind, blocks) in [("public", &public), ("private", &private)] {
                    if blocks.len() != self.azs as usize {
                        return Err(format!(
                            "{} {kind} subnet CIDRs given for {} availability zones; give one per zone",
                            blocks.len(),
                            self.azs
                        ));
                    }
                }
                (public, private)
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err("explicit subnet CIDRs are given for one kind only; give both public_subnet_cidrs and private_subnet_cidrs, or neither".into());
            }
            (None, None) => {
                let mut cursor: u64 = u64::from(vpc.first());
                let mut carve = |prefix: u8| -> Result<Cidr, String> {
                    if !(vpc.prefix()..=28).contains(&prefix) {
                        return Err(format!(
                            "subnet prefix /{prefix} does not fit VPC {vpc} (use /{} to /28)",
                            vpc.prefix()
                        ));
                    }
                    let size = 1u64 << (32 - prefix);
                    let start = cursor.div_ceil(size) * size;
                    cursor = start + size;
                    if cursor - 1 > u64::from(vpc.last()) {
                        return Err(format!(
                            "{} public /{} and {} private /{} subnets do not fit in {vpc}; use a larger VPC block or smaller subnets",
                            self.azs, self.public_prefix, self.azs, self.private_prefix
                        ));
                    }
                    Cidr::new(std::net::Ipv4Addr::from(start as u32), prefix)
                };
                let public = (0..self.azs)
                    .map(|_| carve(self.public_prefix))
                    .collect::<Result<Vec<_>, _>>()?;
                let private = (0..self.azs)
                    .map(|_| carve(self.private_prefix))
                    .collect::<Result<Vec<_>, _>>()?;
                (public, private)
            }
        };
        let all: Vec<Cidr> = public.iter().chain(&private).copied().collect();
        if let Some(outside) = all.iter().find(|b| !vpc.contains(**b)) {
            return Err(format!(
                "subnet CIDR {outside} lies outside the VPC block {vpc}"
            ));
        }
        if let Some((a, b)) = cidr::first_overlap(&all) {
            return Err(format!(
                "subnet CIDRs {a} and {b} overlap; give each subnet its own block"
            ));
        }
        Ok((public, private))
    }
}

impl Construct for VpcBuilder {
    type Built = Vpc;

    /// Validates and adds the VPC, its subnets, gateways and routes.
    fn build(self, here: &mut Scope<'_>) -> Vpc {
        if !(1..=16).contains(&self.azs) {
            here.error(format!(
                "{} availability zones requested; use 1 to 16",
                self.azs
            ));
        }
        let nat_count = self.nat_gateways.unwrap_or(1.min(self.azs));
        if nat_count > self.azs {
            here.error(format!(
                "{nat_count} NAT gateways for {} availability zones; use at most one per zone",
                self.azs
            ));
        }
        let (public_blocks, private_blocks) = match self.plan() {
            Ok(plan) => plan,
            Err(problem) => {
                here.error(problem);
                (Vec::new(), Vec::new())
            }
        };
        let name = here.path().to_owned();
        let vpc = here.add(
            "Resource",
            cfn::CfnVpc::new()
                .cidr_block(self.cidr.as_str())
                .enable_dns_hostnames(true)
                .enable_dns_support(true),
        );
        here.edit(&vpc).tag("Name", name);
        let igw = here.add("InternetGateway", cfn::CfnInternetGateway::new());
        let attachment = here.add(
            "GatewayAttachment",
            cfn::CfnVpcGatewayAttachment::new(vpc.reference()).internet_gateway_id(igw.reference()),
        );
        let k8s_tags = self.kubernetes_tags == KubernetesTags::On;

        let mut public = Vec::new();
        let mut nat_ids = Vec::new();
        for (i, block) in public_blocks.iter().enumerate() {
            let mut sub = here.child(&format!("PublicSubnet{}", i + 1));
            let (subnet, table) =
                subnet_in_zone(&mut sub, vpc, SubnetKind::Public, i, *block, k8s_tags);
            let route = sub.add(
                "DefaultRoute",
                cfn::CfnRoute::new(table.reference())
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id(igw.reference()),
            );
            sub.edit(&route).depends_on(&attachment);
            if (i as u32) < nat_count {
                let eip = sub.add("Eip", cfn::CfnEip::new().domain("vpc"));
                sub.edit(&eip).tag("Name", subnet.path.clone());
                let nat = sub.add(
                    "NatGateway",
                    cfn::CfnNatGateway::new()
                        .subnet_id(subnet.id())
                        .allocation_id(eip.allocation_id()),
                );
                sub.edit(&nat)
                    .tag("Name", subnet.path.clone())
                    .depends_on(&attachment);
                nat_ids.push(nat.reference());
            }
            public.push(subnet);
        }

        let mut private = Vec::new();
        for (i, block) in private_blocks.iter().enumerate() {
            let mut sub = here.child(&format!("PrivateSubnet{}", i + 1));
            let (subnet, table) =
                subnet_in_zone(&mut sub, vpc, SubnetKind::Private, i, *block, k8s_tags);
            if !nat_ids.is_empty() {
                sub.add(
                    "DefaultRoute",
                    cfn::CfnRoute::new(table.reference())
                        .destination_cidr_block("0.0.0.0/0")
                        .nat_gateway_id(nat_ids[i % nat_ids.len()].clone()),
                );
            }
            private.push(subnet);
        }
        Vpc {
            node: Some(here.node_id()),
            handle: Some(vpc),
            id: vpc.reference(),
            public,
            private,
            cidr: self.cidr.parse().ok(),
            nat_gateways: nat_ids.len() as u32,
            path: here.path().to_owned(),
        }
    }
}

/// A subnet in zone `zone` (an index into `Fn::GetAZs`) with its own
/// route table, tagged for Kubernetes load balancers of its kind.
fn subnet_in_zone(
    scope: &mut Scope<'_>,
    vpc: Handle<cfn::CfnVpc>,
    kind: SubnetKind,
    zone: usize,
    block: Cidr,
    kubernetes_tags: bool,
) -> (Subnet, Handle<cfn::CfnRouteTable>) {
    let path = scope.path().to_owned();
    let handle = scope.add(
        "Resource",
        cfn::CfnSubnet::new(vpc.reference())
            .cidr_block(block.to_string())
            .availability_zone(fns::select(zone as i64, fns::get_azs()))
            .map_public_ip_on_launch(kind == SubnetKind::Public),
    );
    let mut edit = scope.edit(&handle);
    edit.tag("Name", path.clone());
    if kubernetes_tags {
        let tag = if kind == SubnetKind::Public {
            ELB_TAG
        } else {
            INTERNAL_ELB_TAG
        };
        edit.tag(tag, "1");
    }
    let table = scope.add("RouteTable", cfn::CfnRouteTable::new(vpc.reference()));
    scope.edit(&table).tag("Name", path.clone());
    scope.add(
        "RouteTableAssociation",
        cfn::CfnSubnetRouteTableAssociation::new(cfn::CfnSubnetRouteTableAssociationRequired {
            route_table_id: table.reference(),
            subnet_id: handle.reference(),
        }),
    );
    let subnet = Subnet {
        node: Some(scope.node_id()),
        handle: Some(handle),
        id: handle.reference(),
        kind,
        zone: Zone::Index(zone as u32),
        cidr: Some(block),
        path,
    };
    (subnet, table)
}

/// The protocol and ports a rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Port {
    Tcp(u16),
    TcpRange(u16, u16),
    Udp(u16),
    UdpRange(u16, u16),
    /// ICMP by type (-1 for all) and code (-1 for all).
    Icmp(i32, i32),
    /// Every protocol and port.
    All,
}

impl Port {
    fn parts(self) -> (&'static str, Option<(i64, i64)>) {
        match self {
            Port::Tcp(p) => ("tcp", Some((p.into(), p.into()))),
            Port::TcpRange(a, b) => ("tcp", Some((a.into(), b.into()))),
            Port::Udp(p) => ("udp", Some((p.into(), p.into()))),
            Port::UdpRange(a, b) => ("udp", Some((a.into(), b.into()))),
            Port::Icmp(t, c) => ("icmp", Some((t.into(), c.into()))),
            Port::All => ("-1", None),
        }
    }
}

/// Sets a rule's description, ports and peer on any of the four generated
/// rule types (inline or standalone, ingress or egress), which share these
/// setters but no trait; `$group` and `$prefix_list` name the peer setters
/// of the direction.
macro_rules! rule_properties {
    ($r:expr, $rule:expr, $group:ident, $prefix_list:ident) => {{
        let rule: &Rule = $rule;
        let mut r = $r.description(rule.description.as_str());
        if let (_, Some((from, to))) = rule.port.parts() {
            r = r.from_port(from).to_port(to);
        }
        match &rule.peer {
            Peer::Ipv4(c) => r.cidr_ip(c.as_str()),
            Peer::Ipv6(c) => r.cidr_ipv6(c.as_str()),
            Peer::SecurityGroup(id) => r.$group(id.clone()),
            Peer::PrefixList(id) => r.$prefix_list(id.clone()),
        }
    }};
}

/// The other side of a rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    Ipv4(String),
    Ipv6(String),
    SecurityGroup(Val<String>),
    PrefixList(Val<String>),
}

impl Peer {
    pub fn ipv4(cidr: impl Into<String>) -> Self {
        Peer::Ipv4(cidr.into())
    }

    pub fn any_ipv4() -> Self {
        Peer::Ipv4("0.0.0.0/0".into())
    }

    pub fn ipv6(cidr: impl Into<String>) -> Self {
        Peer::Ipv6(cidr.into())
    }

    pub fn prefix_list(id: impl Into<Val<String>>) -> Self {
        Peer::PrefixList(id.into())
    }
}

impl From<&SecurityGroup> for Peer {
    fn from(group: &SecurityGroup) -> Peer {
        Peer::SecurityGroup(group.id())
    }
}

/// One rule of a security group.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub peer: Peer,
    pub port: Port,
    pub description: String,
}

/// A security group, being configured; add it with [`Scope::add`] to get
/// a [`SecurityGroup`].
#[derive(Clone, Debug)]
pub struct SecurityGroupBuilder {
    vpc_id: Val<String>,
    description: String,
    name: Option<String>,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
}

/// A security group: built in a stack, or imported by ID.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    node: Option<NodeId>,
    handle: Option<Handle<cfn::CfnSecurityGroup>>,
    id: Val<String>,
}

impl HasNode for SecurityGroup {
    fn node(&self) -> Option<NodeId> {
        self.node
    }
}

impl SecurityGroup {
    /// A group in the VPC (built here or imported); every group needs a
    /// description. Defaults: a generated name, no inbound rules, all
    /// outbound traffic allowed.
    pub fn builder(vpc: &Vpc, description: impl Into<String>) -> SecurityGroupBuilder {
        SecurityGroupBuilder {
            vpc_id: vpc.id(),
            description: description.into(),
            name: None,
            ingress: Vec::new(),
            egress: Vec::new(),
        }
    }

    /// An existing group, by ID.
    pub fn from_id(group_id: impl Into<Val<String>>) -> SecurityGroup {
        SecurityGroup {
            node: None,
            handle: None,
            id: group_id.into(),
        }
    }

    /// The group ID.
    pub fn id(&self) -> Val<String> {
        self.id.clone()
    }

    /// The `AWS::EC2::SecurityGroup` resource, when the group was built here.
    pub fn handle(&self) -> Option<Handle<cfn::CfnSecurityGroup>> {
        self.handle
    }

    /// An inbound rule on this group from `peer` (a CIDR [`Peer`] or
    /// another group, `&other`), to add with [`Scope::add`] after the group
    /// is built, in this or any other stack (an
    /// `AWS::EC2::SecurityGroupIngress`).
    pub fn allow_from(
        &self,
        peer: impl Into<Peer>,
        port: Port,
        description: impl Into<String>,
    ) -> SecurityGroupRule {
        SecurityGroupRule {
            group: self.id(),
            direction: Direction::Ingress,
            rule: Rule {
                peer: peer.into(),
                port,
                description: description.into(),
            },
        }
    }

    /// An outbound rule on this group to `peer`: the other side of
    /// [`SecurityGroup::allow_from`], for a group whose outbound traffic is
    /// restricted (an `AWS::EC2::SecurityGroupEgress`).
    pub fn allow_to(
        &self,
        peer: impl Into<Peer>,
        port: Port,
        description: impl Into<String>,
    ) -> SecurityGroupRule {
        SecurityGroupRule {
            group: self.id(),
            direction: Direction::Egress,
            rule: Rule {
                peer: peer.into(),
                port,
                description: description.into(),
            },
        }
    }
}

impl SecurityGroupBuilder {
    /// The group name. Default: generated by CloudFormation.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Allows traffic in from `peer` on `port` (a rule inside the group).
    /// Default: no inbound traffic.
    pub fn allow_from(
        mut self,
        peer: impl Into<Peer>,
        port: Port,
        description: impl Into<String>,
    ) -> Self {
        self.ingress.push(Rule {
            peer: peer.into(),
            port,
            description: description.into(),
        });
        self
    }

    /// Allows traffic out to `peer` on `port`; the first such rule
    /// replaces the default allow-all outbound rule. Default: all
    /// outbound traffic allowed.
    pub fn allow_to(
        mut self,
        peer: impl Into<Peer>,
        port: Port,
        description: impl Into<String>,
    ) -> Self {
        self.egress.push(Rule {
            peer: peer.into(),
            port,
            description: description.into(),
        });
        self
    }
}

impl Construct for SecurityGroupBuilder {
    type Built = SecurityGroup;

    fn build(self, here: &mut Scope<'_>) -> SecurityGroup {
        if self.description.is_empty() || self.description.len() > 255 {
            here.error("a security group needs a description of 1-255 characters");
        }
        for rule in self.ingress.iter().chain(&self.egress) {
            if let Some(problem) = rule_problem(rule) {
                here.error(problem);
            }
        }
        let mut group = cfn::CfnSecurityGroup::new(self.description.as_str()).vpc_id(self.vpc_id);
        if let Some(name) = &self.name {
            group = group.group_name(name.as_str());
        }
        if !self.ingress.is_empty() {
            group = group
                .security_group_ingress(self.ingress.iter().map(ingress_rule).collect::<Vec<_>>());
        }
        if !self.egress.is_empty() {
            group = group
                .security_group_egress(self.egress.iter().map(egress_rule).collect::<Vec<_>>());
        }
        let name = here.path().to_owned();
        let handle = here.add("Resource", group);
        here.edit(&handle).tag("Name", name);
        SecurityGroup {
            node: Some(here.node_id()),
            handle: Some(handle),
            id: handle.group_id(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

/// A rule added to a security group after it was built: see
/// [`SecurityGroup::allow_from`] and [`SecurityGroup::allow_to`].
#[derive(Clone, Debug)]
pub struct SecurityGroupRule {
    group: Val<String>,
    direction: Direction,
    rule: Rule,
}

/// A [`SecurityGroupRule`] in a stack.
#[derive(Clone, Copy, Debug)]
pub struct AddedRule {
    node: NodeId,
}

impl HasNode for AddedRule {
    fn node(&self) -> Option<NodeId> {
        Some(self.node)
    }
}

impl Construct for SecurityGroupRule {
    type Built = AddedRule;

    fn build(self, here: &mut Scope<'_>) -> AddedRule {
        if let Some(problem) = rule_problem(&self.rule) {
            here.error(problem);
        }
        let protocol = self.rule.port.parts().0;
        match self.direction {
            Direction::Ingress => {
                let r = cfn::CfnSecurityGroupIngress::new(protocol).group_id(self.group);
                here.add(
                    "Resource",
                    rule_properties!(
                        r,
                        &self.rule,
                        source_security_group_id,
                        source_prefix_list_id
                    ),
                );
            }
            Direction::Egress => {
                let r = cfn::CfnSecurityGroupEgress::new(cfn::CfnSecurityGroupEgressRequired {
                    group_id: self.group,
                    ip_protocol: protocol.into(),
                });
                here.add(
                    "Resource",
                    rule_properties!(
                        r,
                        &self.rule,
                        destination_security_group_id,
                        destination_prefix_list_id
                    ),
                );
            }
        }
        AddedRule {
            node: here.node_id(),
        }
    }
}

fn rule_problem(rule: &Rule) -> Option<String> {
    if rule.description.len() > 255 {
        return Some("a rule description is longer than 255 characters".into());
    }
    if let Peer::Ipv4(block) = &rule.peer {
        if let Err(e) = block.parse::<Cidr>() {
            return Some(format!("rule {:?}: {e}", rule.description));
        }
    }
    match rule.port {
        Port::TcpRange(a, b) | Port::UdpRange(a, b) if a > b => Some(format!(
            "rule {:?}: port range {a}-{b} is reversed",
            rule.description
        )),
        _ => None,
    }
}

fn ingress_rule(rule: &Rule) -> cfn::security_group::Ingress {
    let inline = cfn::security_group::Ingress::new(rule.port.parts().0);
    rule_properties!(
        inline,
        rule,
        source_security_group_id,
        source_prefix_list_id
    )
}

fn egress_rule(rule: &Rule) -> cfn::security_group::Egress {
    let inline = cfn::security_group::Egress::new(rule.port.parts().0);
    rule_properties!(
        inline,
        rule,
        destination_security_group_id,
        destination_prefix_list_id
    )
}
