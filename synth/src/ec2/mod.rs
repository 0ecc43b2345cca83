//! EC2 networking constructs: a VPC with public and private subnets across
//! availability zones, and security groups with described rules.
//!
//! ```
//! use synth::prelude::*;
//! use synth::ec2::Vpc;
//!
//! let mut app = App::new();
//! let stack = app.stack("Net");
//! let vpc = Vpc::builder().cidr("10.0.0.0/16").azs(2).nat_gateways(1).build(stack, "Vpc");
//! assert_eq!(vpc.private_subnets().len(), 2);
//! app.synth().expect("valid");
//! ```

pub mod cidr;

use crate::aws::ec2 as cfn;
use crate::fns;
use crate::resource::{Handle, Resource};
use crate::stack::AsScope;
use crate::value::Val;
use cidr::Cidr;

/// Public subnets: reachable from the internet through the gateway.
pub const ELB_TAG: &str = "kubernetes.io/role/elb";
/// Private subnets: for internal load balancers.
pub const INTERNAL_ELB_TAG: &str = "kubernetes.io/role/internal-elb";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubnetKind {
    Public,
    Private,
}

/// A subnet of a [`Vpc`].
#[derive(Clone, Debug)]
pub struct Subnet {
    handle: Handle<cfn::CfnSubnet>,
    kind: SubnetKind,
    az_index: u32,
    cidr: Option<Cidr>,
    path: String,
}

impl Subnet {
    pub fn id(&self) -> Val<String> {
        self.handle.reference()
    }

    pub fn handle(&self) -> Handle<cfn::CfnSubnet> {
        self.handle
    }

    pub fn kind(&self) -> SubnetKind {
        self.kind
    }

    /// The index of its availability zone in `Fn::GetAZs`.
    pub fn az_index(&self) -> u32 {
        self.az_index
    }

    pub fn cidr(&self) -> Option<Cidr> {
        self.cidr
    }

    pub fn construct_path(&self) -> &str {
        &self.path
    }
}

/// A VPC, being configured.
#[derive(Clone, Debug)]
pub struct VpcBuilder {
    cidr: String,
    azs: u32,
    nat_gateways: Option<u32>,
    public_prefix: u8,
    private_prefix: u8,
    explicit: Option<(Vec<String>, Vec<String>)>,
    kubernetes_tags: bool,
}

/// A VPC with one public and one private subnet per availability zone.
#[derive(Clone, Debug)]
pub struct Vpc {
    handle: Handle<cfn::CfnVpc>,
    public: Vec<Subnet>,
    private: Vec<Subnet>,
    cidr: Option<Cidr>,
    nat_gateways: u32,
    path: String,
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
            explicit: None,
            kubernetes_tags: true,
        }
    }

    pub fn id(&self) -> Val<String> {
        self.handle.reference()
    }

    pub fn handle(&self) -> Handle<cfn::CfnVpc> {
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

    pub fn construct_path(&self) -> &str {
        &self.path
    }

    /// The VPC's block, when it was valid.
    pub fn cidr(&self) -> Option<Cidr> {
        self.cidr
    }

    /// How many NAT gateways serve the private subnets.
    pub fn nat_gateway_count(&self) -> u32 {
        self.nat_gateways
    }
}

impl VpcBuilder {
    /// The VPC's IPv4 block, `/16` to `/28`.
    pub fn cidr(mut self, cidr: impl Into<String>) -> Self {
        self.cidr = cidr.into();
        self
    }

    /// How many availability zones to spread subnets over (`Fn::GetAZs`
    /// picks them in the deploy region; no account lookups).
    pub fn azs(mut self, count: u32) -> Self {
        self.azs = count;
        self
    }

    /// NAT gateways for the private subnets: 0 (private subnets without
    /// internet), 1 (shared, cheapest) up to one per zone (resilient).
    pub fn nat_gateways(mut self, count: u32) -> Self {
        self.nat_gateways = Some(count);
        self
    }

    /// Prefix lengths of the computed subnet blocks.
    pub fn subnet_prefixes(mut self, public: u8, private: u8) -> Self {
        self.public_prefix = public;
        self.private_prefix = private;
        self
    }

    /// Explicit subnet blocks, one per zone for each kind, instead of
    /// computed ones. They must lie in the VPC block and not overlap.
    pub fn subnet_cidrs<S: Into<String>>(
        mut self,
        public: impl IntoIterator<Item = S>,
        private: impl IntoIterator<Item = S>,
    ) -> Self {
        self.explicit = Some((
            public.into_iter().map(Into::into).collect(),
            private.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Whether to tag subnets for Kubernetes load balancers (default on).
    pub fn kubernetes_tags(mut self, on: bool) -> Self {
        self.kubernetes_tags = on;
        self
    }

    /// Computes the subnet blocks, or says why they cannot be.
    fn plan(&self) -> Result<(Vec<Cidr>, Vec<Cidr>), String> {
        let vpc: Cidr = self.cidr.parse().map_err(|e| format!("VPC CIDR: {e}"))?;
        if !(16..=28).contains(&vpc.prefix()) {
            return Err(format!("VPC CIDR {vpc} must be between /16 and /28"));
        }
        let (public, private) = match &self.explicit {
            Some((public, private)) => {
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
            None => {
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

    /// Validates and adds the VPC, its subnets, gateways and routes.
    pub fn build(self, scope: &mut impl AsScope, id: &str) -> Vpc {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
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
        let vpc = here.add(
            "Resource",
            cfn::CfnVpc::new()
                .cidr_block(self.cidr.as_str())
                .enable_dns_hostnames(true)
                .enable_dns_support(true)
                .tag("Name", here_name(&here)),
        );
        let igw = here.add("InternetGateway", cfn::CfnInternetGateway::new());
        let attachment = here.add(
            "GatewayAttachment",
            cfn::CfnVpcGatewayAttachment::new(vpc.reference()).internet_gateway_id(igw.reference()),
        );

        let mut public = Vec::new();
        let mut nat_ids = Vec::new();
        for (i, block) in public_blocks.iter().enumerate() {
            let mut sub = here.child(&format!("PublicSubnet{}", i + 1));
            let (subnet, table) = subnet_in_zone(
                &mut sub,
                vpc,
                SubnetKind::Public,
                i,
                *block,
                self.kubernetes_tags,
            );
            sub.add(
                "DefaultRoute",
                cfn::CfnRoute::new(table.reference())
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id(igw.reference())
                    .depends_on(attachment),
            );
            if (i as u32) < nat_count {
                let eip = sub.add(
                    "Eip",
                    cfn::CfnEip::new()
                        .domain("vpc")
                        .tag("Name", subnet.path.clone()),
                );
                let nat = sub.add(
                    "NatGateway",
                    cfn::CfnNatGateway::new()
                        .subnet_id(subnet.id())
                        .allocation_id(eip.allocation_id())
                        .tag("Name", subnet.path.clone())
                        .depends_on(attachment),
                );
                nat_ids.push(nat.reference());
            }
            public.push(subnet);
        }

        let mut private = Vec::new();
        for (i, block) in private_blocks.iter().enumerate() {
            let mut sub = here.child(&format!("PrivateSubnet{}", i + 1));
            let (subnet, table) = subnet_in_zone(
                &mut sub,
                vpc,
                SubnetKind::Private,
                i,
                *block,
                self.kubernetes_tags,
            );
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
            handle: vpc,
            public,
            private,
            cidr: self.cidr.parse().ok(),
            nat_gateways: nat_ids.len() as u32,
            path: here.path().to_owned(),
        }
    }
}

fn here_name(scope: &crate::stack::Scope<'_>) -> String {
    scope.path().to_owned()
}

/// A subnet in zone `zone` (an index into `Fn::GetAZs`) with its own
/// route table, tagged for Kubernetes load balancers of its kind.
fn subnet_in_zone(
    scope: &mut crate::stack::Scope<'_>,
    vpc: Handle<cfn::CfnVpc>,
    kind: SubnetKind,
    zone: usize,
    block: Cidr,
    kubernetes_tags: bool,
) -> (Subnet, Handle<cfn::CfnRouteTable>) {
    let path = scope.path().to_owned();
    let mut subnet = cfn::CfnSubnet::new(vpc.reference())
        .cidr_block(block.to_string())
        .availability_zone(fns::select(zone as i64, fns::get_azs()))
        .map_public_ip_on_launch(kind == SubnetKind::Public)
        .tag("Name", path.clone());
    if kubernetes_tags {
        let tag = if kind == SubnetKind::Public {
            ELB_TAG
        } else {
            INTERNAL_ELB_TAG
        };
        subnet = subnet.tag(tag, "1");
    }
    let handle = scope.add("Resource", subnet);
    let table = scope.add(
        "RouteTable",
        cfn::CfnRouteTable::new(vpc.reference()).tag("Name", path.clone()),
    );
    scope.add(
        "RouteTableAssociation",
        cfn::CfnSubnetRouteTableAssociation::new(cfn::CfnSubnetRouteTableAssociationRequired {
            route_table_id: table.reference(),
            subnet_id: handle.reference(),
        }),
    );
    let subnet = Subnet {
        handle,
        kind,
        az_index: zone as u32,
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

    pub fn security_group(id: impl Into<Val<String>>) -> Self {
        Peer::SecurityGroup(id.into())
    }
}

/// One rule of a security group.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub peer: Peer,
    pub port: Port,
    pub description: String,
}

/// A security group, being configured.
#[derive(Clone, Debug)]
pub struct SecurityGroupBuilder {
    vpc_id: Val<String>,
    description: String,
    name: Option<String>,
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
    allow_all_outbound: bool,
}

/// A security group in a stack.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    handle: Handle<cfn::CfnSecurityGroup>,
}

impl SecurityGroup {
    /// A group in the VPC; every group needs a description.
    pub fn builder(
        vpc_id: impl Into<Val<String>>,
        description: impl Into<String>,
    ) -> SecurityGroupBuilder {
        SecurityGroupBuilder {
            vpc_id: vpc_id.into(),
            description: description.into(),
            name: None,
            ingress: Vec::new(),
            egress: Vec::new(),
            allow_all_outbound: true,
        }
    }

    pub fn id(&self) -> Val<String> {
        self.handle.group_id()
    }

    pub fn handle(&self) -> Handle<cfn::CfnSecurityGroup> {
        self.handle
    }
}

impl SecurityGroupBuilder {
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Allows traffic in from `peer` on `port`.
    pub fn ingress(mut self, peer: Peer, port: Port, description: impl Into<String>) -> Self {
        self.ingress.push(Rule {
            peer,
            port,
            description: description.into(),
        });
        self
    }

    /// Allows traffic out to `peer` on `port`; replaces the default
    /// allow-all egress.
    pub fn egress(mut self, peer: Peer, port: Port, description: impl Into<String>) -> Self {
        self.egress.push(Rule {
            peer,
            port,
            description: description.into(),
        });
        self.allow_all_outbound = false;
        self
    }

    pub fn build(self, scope: &mut impl AsScope, id: &str) -> SecurityGroup {
        let mut scope = scope.as_scope();
        let mut here = scope.child(id);
        if self.description.is_empty() || self.description.len() > 255 {
            here.error("a security group needs a description of 1-255 characters");
        }
        for rule in self.ingress.iter().chain(&self.egress) {
            if let Some(problem) = rule_problem(rule) {
                here.error(problem);
            }
        }
        let mut group = cfn::CfnSecurityGroup::new(self.description.as_str())
            .vpc_id(self.vpc_id)
            .tag("Name", here.path().to_owned());
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
        SecurityGroup {
            handle: here.add("Resource", group),
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
    let (protocol, ports) = rule.port.parts();
    let mut r = cfn::security_group::Ingress::new(protocol).description(rule.description.as_str());
    if let Some((from, to)) = ports {
        r = r.from_port(from).to_port(to);
    }
    match &rule.peer {
        Peer::Ipv4(c) => r.cidr_ip(c.as_str()),
        Peer::Ipv6(c) => r.cidr_ipv6(c.as_str()),
        Peer::SecurityGroup(id) => r.source_security_group_id(id.clone()),
        Peer::PrefixList(id) => r.source_prefix_list_id(id.clone()),
    }
}

fn egress_rule(rule: &Rule) -> cfn::security_group::Egress {
    let (protocol, ports) = rule.port.parts();
    let mut r = cfn::security_group::Egress::new(protocol).description(rule.description.as_str());
    if let Some((from, to)) = ports {
        r = r.from_port(from).to_port(to);
    }
    match &rule.peer {
        Peer::Ipv4(c) => r.cidr_ip(c.as_str()),
        Peer::Ipv6(c) => r.cidr_ipv6(c.as_str()),
        Peer::SecurityGroup(id) => r.destination_security_group_id(id.clone()),
        Peer::PrefixList(id) => r.destination_prefix_list_id(id.clone()),
    }
}
