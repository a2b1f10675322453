using System;
using System.Collections.Generic;

namespace RnnGen.Benchmarks.Peers;

/// <summary>Every peer this build has, by name, as a factory from an initialized RnnGen model (whose weights it copies).</summary>
public static partial class PeerCatalog
{
    public static IReadOnlyList<(string Name, Func<IRecurrentModel<float>, Peer> Create)> All
    {
        get
        {
            var peers = new List<(string, Func<IRecurrentModel<float>, Peer>)>
            {
                ("Scalar", model => new ScalarPeer(NetworkWeights.From(model))),
                ("TensorPrimitives", model => new TensorPrimitivesPeer(NetworkWeights.From(model))),
            };
            AddHeavyPeers(peers);
            return peers;
        }
    }

    /// <summary>Peers/Heavy adds ONNX Runtime and TorchSharp here when built with -p:HeavyPeers=true.</summary>
    static partial void AddHeavyPeers(List<(string, Func<IRecurrentModel<float>, Peer>)> peers);
}
