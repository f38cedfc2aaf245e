namespace GpuMobileNet.Kernels;

/// <summary>A kernel's identity: its shader (shaders/&lt;Shader&gt;.comp) and the type of its specialisation
/// constants. Dispatches name kernels by these, never by strings, so a kernel cannot be planned with another
/// kernel's constants.</summary>
public abstract record KernelId(string Shader)
{
    /// <summary>The <see cref="ISpecConstants"/> struct whose fields are this shader's constant_ids, in order.</summary>
    public abstract Type ConstantsType { get; }

    /// <inheritdoc/>
    public override string ToString() => Shader;
}

/// <summary>A kernel whose specialisation constants are a <typeparamref name="TConstants"/>.</summary>
public sealed record KernelId<TConstants>(string Shader) : KernelId(Shader) where TConstants : unmanaged, ISpecConstants
{
    /// <inheritdoc/>
    public override Type ConstantsType => typeof(TConstants);

    /// <inheritdoc/>
    public override string ToString() => Shader;
}
