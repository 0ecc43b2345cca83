// Four strings in a row are easy to swap (here the namespace and the
// service account): the required properties are named fields instead.
use synth::aws::eks::CfnPodIdentityAssociation;

fn main() {
    let _ = CfnPodIdentityAssociation::new(
        "gitlab",
        "ebs-csi-controller-sa",
        "arn:aws:iam::123456789012:role/pod",
        "kube-system",
    );
}
