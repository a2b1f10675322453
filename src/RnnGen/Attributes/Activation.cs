namespace RnnGen;

/// <summary>
/// An element-wise activation. <see cref="SimpleRnnAttribute"/> accepts <see cref="Tanh"/> and <see cref="Relu"/>;
/// <see cref="DenseAttribute"/> accepts all of them.
/// </summary>
/// <remarks>This file is linked into the generator, so it must stay free of dependencies.</remarks>
public enum Activation
{
    /// <summary>Identity: the layer is linear.</summary>
    None = 0,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 1,

    /// <summary>Logistic sigmoid, 1 / (1 + e^-x).</summary>
    Sigmoid = 2,

    /// <summary>max(0, x).</summary>
    Relu = 3,

    /// <summary>Softmax over the layer's outputs (one distribution per time step). Dense layers only.</summary>
    Softmax = 4,
}
