// Every required property must be given.
use synth::aws::eks::{CfnPodIdentityAssociation, CfnPodIdentityAssociationRequired};

fn main() {
    let _ = CfnPodIdentityAssociation::new(CfnPodIdentityAssociationRequired {
        cluster_name: "gitlab".into(),
        namespace: "kube-system".into(),
        role_arn: "arn:aws:iam::123456789012:role/pod".into(),
    });
}
