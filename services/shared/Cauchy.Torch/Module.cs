// PyTorch's module name: `nn.Module`.
#pragma warning disable CS8981

using System.Reflection;
using System.Text;

namespace Cauchy.Torch;

public static partial class nn
{
    /// <summary>
    /// Base of every layer and model (PyTorch's <c>nn.Module</c>): it holds named parameters, buffers and
    /// submodules in registration order, so <see cref="parameters"/>, <see cref="state_dict"/>,
    /// <see cref="to(Device)"/> and <see cref="train"/> follow the whole tree, and state_dict keys are PyTorch's
    /// (<c>layer1.0.conv1.weight</c>). Register explicitly (<see cref="register_module"/>, ...) or call
    /// <see cref="RegisterComponents"/> to register a subclass's Module and Parameter fields by field name.
    /// Disposing a module disposes its parameters, buffers and submodules.
    /// </summary>
    /// <remarks>
    /// Longer than the house limit on purpose: it is PyTorch's <c>nn.Module</c> API in one place (registration,
    /// traversal, state dicts, devices, modes, disposal), which models and the optimizers rely on as one contract;
    /// split across files it would hide which members PyTorch's class has.
    /// </remarks>
    public abstract class Module : IDisposable
    {
        private readonly Dictionary<string, Parameter?> parametersByName = [];
        private readonly Dictionary<string, Tensor?> buffersByName = [];
        private readonly HashSet<string> nonPersistentBuffers = [];
        private readonly Dictionary<string, Module?> modulesByName = [];
        private bool disposed;

        /// <summary>True in training mode (the default), false after <see cref="eval"/>.</summary>
        public bool training { get; private set; } = true;

        /// <summary>The name PyTorch prints for this module: its type's name.</summary>
        public virtual string GetName() => GetType().Name;

        public void register_parameter(string name, Parameter? param)
        {
            CheckNewName(name, parametersByName);
            parametersByName[name] = param;
        }

        /// <summary>
        /// Registers a tensor that is state but not learned (BatchNorm's running statistics). The module takes
        /// ownership: the tensor leaves its dispose scope. Non-persistent buffers stay out of <see cref="state_dict"/>.
        /// </summary>
        public void register_buffer(string name, Tensor? tensor, bool persistent = true)
        {
            CheckNewName(name, buffersByName);
            tensor?.DetachFromDisposeScope();
            buffersByName[name] = tensor;
            if (persistent)
            {
                nonPersistentBuffers.Remove(name);
            }
            else
            {
                nonPersistentBuffers.Add(name);
            }
        }

        public void register_module(string name, Module? module)
        {
            CheckNewName(name, modulesByName);
            if (ReferenceEquals(module, this))
            {
                throw new ArgumentException("a module cannot be its own submodule", nameof(module));
            }

            modulesByName[name] = module;
        }

        /// <summary>
        /// Registers every field of this object whose type is a <see cref="Module"/> or a <see cref="Parameter"/>
        /// and that is not registered yet, under the field's name (TorchSharp's RegisterComponents). Call it at
        /// the end of a model's constructor; fields are taken in declaration order, base class first.
        /// </summary>
        protected void RegisterComponents()
        {
            var hierarchy = new Stack<Type>();
            for (Type? type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
            {
                hierarchy.Push(type);
            }

            var registered = new HashSet<object>(ReferenceEqualityComparer.Instance);
            foreach (Module? m in modulesByName.Values)
            {
                if (m is not null)
                {
                    registered.Add(m);
                }
            }

            foreach (Parameter? p in parametersByName.Values)
            {
                if (p is not null)
                {
                    registered.Add(p);
                }
            }

            foreach (Type type in hierarchy)
            {
                foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    object? value = field.GetValue(this);
                    if (value is null || registered.Contains(value))
                    {
                        continue;
                    }

                    string name = FieldName(field);
                    if (value is Module module)
                    {
                        register_module(name, module);
                        registered.Add(module);
                    }
                    else if (value is Parameter parameter)
                    {
                        register_parameter(name, parameter);
                        registered.Add(parameter);
                    }
                }
            }
        }

        public IEnumerable<(string name, Module module)> named_children()
        {
            foreach ((string name, Module? module) in modulesByName)
            {
                if (module is not null)
                {
                    yield return (name, module);
                }
            }
        }

        public IEnumerable<Module> children() => named_children().Select(c => c.module);

        /// <summary>This module (named <paramref name="prefix"/>) and every submodule, depth first in registration order, each once.</summary>
        public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
        {
            var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
            return NamedModules(prefix, seen);
        }

        public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

        /// <summary>Parameters with their dotted names (<c>layer1.0.conv1.weight</c>); a shared parameter appears once.</summary>
        public IEnumerable<(string name, Parameter parameter)> named_parameters(string prefix = "", bool recurse = true)
        {
            var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            foreach ((string modulePrefix, Module module) in recurse ? named_modules(prefix) : [(prefix, this)])
            {
                foreach ((string name, Parameter? parameter) in module.parametersByName)
                {
                    if (parameter is not null && seen.Add(parameter))
                    {
                        yield return (Join(modulePrefix, name), parameter);
                    }
                }
            }
        }

        public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse: recurse).Select(p => p.parameter);

        public IEnumerable<(string name, Tensor buffer)> named_buffers(string prefix = "", bool recurse = true)
        {
            var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            foreach ((string modulePrefix, Module module) in recurse ? named_modules(prefix) : [(prefix, this)])
            {
                foreach ((string name, Tensor? buffer) in module.buffersByName)
                {
                    if (buffer is not null && seen.Add(buffer))
                    {
                        yield return (Join(modulePrefix, name), buffer);
                    }
                }
            }
        }

        public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse: recurse).Select(b => b.buffer);

        /// <summary>Sets training mode on this module and every submodule (Dropout drops, BatchNorm uses batch statistics).</summary>
        public Module train(bool mode = true)
        {
            foreach (Module module in modules())
            {
                module.training = mode;
            }

            return this;
        }

        /// <summary>Evaluation mode: Dropout passes through, BatchNorm normalises with its running statistics.</summary>
        public Module eval() => train(false);

        /// <summary>
        /// The module's state in PyTorch's order and key names: each module's parameters, then its persistent
        /// buffers, then its submodules'. Values are new tensors sharing the parameters' storage, detached from
        /// autograd (PyTorch's <c>state_dict()</c>); they join the current dispose scope.
        /// </summary>
        public Dictionary<string, Tensor> state_dict()
        {
            var result = new Dictionary<string, Tensor>();
            SaveState(result, string.Empty, new HashSet<Module>(ReferenceEqualityComparer.Instance));
            return result;
        }

        /// <summary>
        /// Copies values from <paramref name="state_dict"/> into this module's parameters and persistent buffers,
        /// converting dtype and device. Strict (the default): a missing or unexpected key is an error. A shape
        /// mismatch is always an error. The error names every offending key, as PyTorch's does, and nothing is
        /// copied when there is one.
        /// </summary>
        public LoadStateDictResult load_state_dict(IReadOnlyDictionary<string, Tensor> state_dict, bool strict = true)
        {
            ArgumentNullException.ThrowIfNull(state_dict);
            var targets = new Dictionary<string, Tensor>();
            CollectStateTargets(targets, string.Empty, new HashSet<Module>(ReferenceEqualityComparer.Instance));

            var missing = targets.Keys.Where(k => !state_dict.ContainsKey(k)).ToList();
            var unexpected = state_dict.Keys.Where(k => !targets.ContainsKey(k)).ToList();
            var errors = new List<string>();
            foreach ((string key, Tensor target) in targets)
            {
                if (state_dict.TryGetValue(key, out Tensor? source))
                {
                    ArgumentNullException.ThrowIfNull(source, $"state_dict[\"{key}\"]");
                    long[] expected = target.shape;
                    long[] actual = source.shape;
                    if (!expected.SequenceEqual(actual))
                    {
                        errors.Add($"size mismatch for {key}: copying a param with shape [{string.Join(", ", actual)}] from checkpoint, " +
                            $"the shape in current model is [{string.Join(", ", expected)}].");
                    }
                }
            }

            // PyTorch's order: missing keys, unexpected keys, then size mismatches.
            if (strict && unexpected.Count > 0)
            {
                errors.Insert(0, $"Unexpected key(s) in state_dict: {string.Join(", ", unexpected.Select(k => $"\"{k}\""))}. ");
            }

            if (strict && missing.Count > 0)
            {
                errors.Insert(0, $"Missing key(s) in state_dict: {string.Join(", ", missing.Select(k => $"\"{k}\""))}. ");
            }

            if (errors.Count > 0)
            {
                var message = new StringBuilder($"Error(s) in loading state_dict for {GetName()}:");
                foreach (string error in errors)
                {
                    message.Append("\n\t").Append(error);
                }

                throw new TorchException(message.ToString(), 3);
            }

            foreach ((string key, Tensor target) in targets)
            {
                if (state_dict.TryGetValue(key, out Tensor? source))
                {
                    target.copy_(source!);
                }
            }

            return new LoadStateDictResult(missing, unexpected);
        }

        /// <summary>
        /// Moves every parameter (with its gradient) and buffer to <paramref name="device"/> in place: the same
        /// Parameter objects, so an optimizer made before the move still updates them.
        /// </summary>
        public Module to(Device device)
        {
            ArgumentNullException.ThrowIfNull(device);
            Apply(t => t.to(device), floatingOnly: false);
            return this;
        }

        /// <summary>Converts floating-point parameters and buffers to <paramref name="dtype"/> (integer buffers such as num_batches_tracked stay).</summary>
        public Module to(ScalarType dtype)
        {
            if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
            {
                throw new ArgumentException($"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}", nameof(dtype));
            }

            Apply(t => t.to(dtype), floatingOnly: true);
            return this;
        }

        /// <summary>Clears every parameter's gradient: zeroed in place (PyTorch 1.13's default) or dropped with set_to_none.</summary>
        public void zero_grad(bool set_to_none = false)
        {
            foreach (Parameter parameter in parameters())
            {
                parameter.ZeroGrad(set_to_none);
            }
        }

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        public override string ToString() => GetName();

        protected virtual void Dispose(bool disposing)
        {
            if (disposed || !disposing)
            {
                return;
            }

            disposed = true;
            foreach (Module? module in modulesByName.Values)
            {
                module?.Dispose();
            }

            foreach (Parameter? parameter in parametersByName.Values)
            {
                parameter?.Dispose();
            }

            foreach (Tensor? buffer in buffersByName.Values)
            {
                buffer?.Dispose();
            }
        }

        private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

        private static string FieldName(FieldInfo field)
        {
            // An auto-property's backing field is "<Name>k__BackingField".
            string name = field.Name;
            if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is int end and > 1)
            {
                return name[1..end];
            }

            return name.TrimStart('_');
        }

        private void CheckNewName<T>(string name, Dictionary<string, T> own)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (name.Contains('.', StringComparison.Ordinal))
            {
                throw new ArgumentException($"name \"{name}\" cannot contain \".\"", nameof(name));
            }

            bool elsewhere = (!ReferenceEquals(own, parametersByName) && parametersByName.ContainsKey(name)) ||
                (!ReferenceEquals(own, buffersByName) && buffersByName.ContainsKey(name)) ||
                (!ReferenceEquals(own, modulesByName) && modulesByName.ContainsKey(name));
            if (elsewhere)
            {
                throw new ArgumentException($"attribute \"{name}\" already exists in {GetName()}", nameof(name));
            }
        }

        private IEnumerable<(string name, Module module)> NamedModules(string prefix, HashSet<Module> seen)
        {
            if (!seen.Add(this))
            {
                yield break;
            }

            yield return (prefix, this);
            foreach ((string name, Module? module) in modulesByName)
            {
                if (module is null)
                {
                    continue;
                }

                foreach (var item in module.NamedModules(Join(prefix, name), seen))
                {
                    yield return item;
                }
            }
        }

        private void SaveState(Dictionary<string, Tensor> result, string prefix, HashSet<Module> seen)
        {
            foreach ((string name, Parameter? parameter) in parametersByName)
            {
                if (parameter is not null)
                {
                    result[Join(prefix, name)] = parameter.detach();
                }
            }

            foreach ((string name, Tensor? buffer) in buffersByName)
            {
                if (buffer is not null && !nonPersistentBuffers.Contains(name))
                {
                    result[Join(prefix, name)] = buffer.detach();
                }
            }

            foreach ((string name, Module? module) in modulesByName)
            {
                module?.SaveState(result, Join(prefix, name), seen);
            }
        }

        private void CollectStateTargets(Dictionary<string, Tensor> result, string prefix, HashSet<Module> seen)
        {
            foreach ((string name, Parameter? parameter) in parametersByName)
            {
                if (parameter is not null)
                {
                    result[Join(prefix, name)] = parameter;
                }
            }

            foreach ((string name, Tensor? buffer) in buffersByName)
            {
                if (buffer is not null && !nonPersistentBuffers.Contains(name))
                {
                    result[Join(prefix, name)] = buffer;
                }
            }

            foreach ((string name, Module? module) in modulesByName)
            {
                module?.CollectStateTargets(result, Join(prefix, name), seen);
            }
        }

        private void Apply(Func<Tensor, Tensor> convert, bool floatingOnly)
        {
            foreach (Tensor tensor in parameters().Cast<Tensor>().Concat(buffers()))
            {
                if (floatingOnly && !tensor.IsFloatingPoint)
                {
                    continue;
                }

                using (Tensor converted = convert(tensor))
                {
                    tensor.SetData(converted);
                }

                using Tensor? grad = tensor.grad;
                if (grad is not null)
                {
                    using Tensor convertedGrad = convert(grad);
                    grad.SetData(convertedGrad);
                }
            }
        }
    }

    /// <summary>A module whose forward takes one input (a tensor, a tuple, ...) and returns one output.</summary>
    public abstract class Module<TInput, TOutput> : Module
    {
        public abstract TOutput forward(TInput input);

        /// <summary>Runs <see cref="forward"/> (PyTorch's <c>module(x)</c>).</summary>
        public TOutput call(TInput input) => forward(input);
    }

    /// <summary>A module whose forward takes two inputs, as the losses (input, target).</summary>
    public abstract class Module<TInput1, TInput2, TOutput> : Module
    {
        public abstract TOutput forward(TInput1 input1, TInput2 input2);

        public TOutput call(TInput1 input1, TInput2 input2) => forward(input1, input2);
    }

    /// <summary>What a non-strict <see cref="Module.load_state_dict"/> skipped: keys the module has but the dict lacked, and the reverse.</summary>
    public sealed record LoadStateDictResult(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys);
}
