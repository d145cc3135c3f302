// The mesh of this stack's `clusters` setting — one cluster (Pulumi.dev.yaml) or two peered ones
// (Pulumi.multicluster.yaml) — as one Mesh component of the ambient-spire package. The component validates
// everything before it creates anything: a mistake ends `pulumi preview` with one line such as
// `Mesh.clusters[1].network: "cluster1" is already used by clusters[0] … Fix: …`.
using System.Text.Json.Serialization;
using Pulumi;
using Pulumi.AmbientSpire;
using Pulumi.AmbientSpire.Inputs;

return await Deployment.RunAsync(() =>
{
    var config = new Config();
    var clusters = config.RequireObject<ClusterSetting[]>("clusters");

    var mesh = new Mesh("mesh", new MeshArgs
    {
        Clusters = clusters.Select(cluster => new MeshClusterArgs
        {
            Name = cluster.Name,
            Context = cluster.Context,
        }).ToList(),
        Istio = new MeshIstioArgs
        {
            Version = "1.27.8",
            RepoKey = config.Require("repoKey"),
        },
        // Stays a secret all the way into the cluster's licence Secret.
        LicenseKey = config.RequireSecret("soloLicenseKey"),
        Peering = "full-mesh",
        Pki = new MeshPkiArgs
        {
            ProtectRoot = true,
        },
    });

    return new Dictionary<string, object?>
    {
        ["rootCaCertPem"] = mesh.RootCaCertPem,
        ["eastWestAddresses"] = mesh.Clusters.Apply(all => all.ToDictionary(
            entry => entry.Key,
            entry => entry.Value.EastWestAddress?.Value)),
        ["networks"] = mesh.Clusters.Apply(all => all.ToDictionary(entry => entry.Key, entry => entry.Value.Network)),
    };
});

/// <summary>One entry of the stack's `clusters` setting.</summary>
public sealed record ClusterSetting(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("context")] string Context);
