namespace Cauchy.Torch;

// The raw handles of a list of tensors for one native call that takes an array. Each SafeHandle is add-ref'd so a
// tensor disposed on another thread cannot be freed while the native side uses it.
internal readonly struct HandleArray : IDisposable
{
    private readonly TensorHandle[] owners;
    private readonly int added;

    public HandleArray(IReadOnlyList<Tensor> tensors, string what)
    {
        owners = new TensorHandle[tensors.Count];
        Pointers = new nint[tensors.Count];
        try
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                TensorHandle handle = tensors[i].Handle;
                bool ok = false;
                try
                {
                    handle.DangerousAddRef(ref ok);
                }
                catch (ObjectDisposedException)
                {
                    throw new ObjectDisposedException($"{what} {i}", $"{what} {i} has been disposed");
                }

                owners[i] = handle;
                added = i + 1;
                Pointers[i] = handle.DangerousGetHandle();
            }
        }
        catch
        {
            Release(owners, added);
            throw;
        }
    }

    public nint[] Pointers { get; }

    public void Dispose() => Release(owners, added);

    private static void Release(TensorHandle[] handles, int count)
    {
        for (int i = 0; i < count; i++)
        {
            handles[i].DangerousRelease();
        }
    }
}
