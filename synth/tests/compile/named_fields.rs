// The required properties by name, in any order, with literals, enums or
// intrinsics.
use synth::aws::eks::{addon, CfnAddon, CfnAddonRequired};
use synth::aws::eks::{CfnPodIdentityAssociation, CfnPodIdentityAssociationRequired};
use synth::fns;

fn main() {
    let _ = CfnPodIdentityAssociation::new(CfnPodIdentityAssociationRequired {
        service_account: "ebs-csi-controller-sa".into(),
        namespace: "kube-system".into(),
        cluster_name: "gitlab".into(),
        role_arn: fns::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/pod"),
    });
    let _ = CfnAddon::new(CfnAddonRequired {
        addon_name: "vpc-cni".into(),
        cluster_name: "gitlab".into(),
    })
    .resolve_conflicts(addon::ResolveConflicts::Overwrite);
}
