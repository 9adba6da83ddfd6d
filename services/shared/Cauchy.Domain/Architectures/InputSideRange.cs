namespace Cauchy.Domain.Architectures;

/// <summary>The image sides (height and width alike) an architecture takes: at least <see cref="Min"/>, at most <see cref="Max"/> when it has one.</summary>
public sealed record InputSideRange(int Min, int? Max)
{
    public bool Admits(int side) => side >= Min && (Max is not { } max || side <= max);

    public override string ToString() => Max is { } max ? (max == Min ? $"{Min}" : $"{Min} to {max}") : $"at least {Min}";
}
