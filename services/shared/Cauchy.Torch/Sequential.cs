// PyTorch's module name: `nn.X` reads as torch.nn.X does in Python.
#pragma warning disable CS8981

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// Runs its modules in order, each on the previous one's output. Children are named "0", "1", ... as in PyTorch
    /// (so keys read <c>features.0.weight</c>), or by the names given. Intermediate results are disposed as soon
    /// as the next module has consumed them.
    /// </summary>
    public class Sequential : Module<Tensor, Tensor>
    {
        private readonly List<Module<Tensor, Tensor>> layers = [];

        public Sequential(params Module<Tensor, Tensor>[] modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            foreach (Module<Tensor, Tensor> module in modules)
            {
                append(module);
            }
        }

        public Sequential(IEnumerable<(string name, Module<Tensor, Tensor> module)> modules)
        {
            ArgumentNullException.ThrowIfNull(modules);
            foreach ((string name, Module<Tensor, Tensor> module) in modules)
            {
                ArgumentNullException.ThrowIfNull(module);
                register_module(name, module);
                layers.Add(module);
            }
        }

        public int Count => layers.Count;

        public Module<Tensor, Tensor> this[int index] => layers[index];

        public Sequential append(Module<Tensor, Tensor> module)
        {
            ArgumentNullException.ThrowIfNull(module);
            register_module(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
            layers.Add(module);
            return this;
        }

        public override Tensor forward(Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            Tensor x = input;
            foreach (Module<Tensor, Tensor> layer in layers)
            {
                Tensor next = layer.call(x);

                // The caller owns the input; a module may hand its argument back unchanged.
                if (!ReferenceEquals(x, input) && !ReferenceEquals(next, x))
                {
                    x.Dispose();
                }

                x = next;
            }

            return ReferenceEquals(x, input) ? input.NewHandle() : x;
        }
    }
}
