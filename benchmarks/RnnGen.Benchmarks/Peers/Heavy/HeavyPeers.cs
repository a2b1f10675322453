using System;
using System.Collections.Generic;
using RnnGen.Benchmarks.Peers.Heavy;

namespace RnnGen.Benchmarks.Peers;

// Compiled only with -p:HeavyPeers=true.
public static partial class PeerCatalog
{
    static partial void AddHeavyPeers(List<(string, Func<IRecurrentModel<float>, Peer>)> peers)
    {
        peers.Add(("OnnxRuntime", model => new OnnxRuntimePeer(NetworkWeights.From(model))));
        peers.Add(("TorchSharp", model => new TorchSharpPeer(NetworkWeights.From(model))));
    }
}
