using Recurrent.Layers;
using Recurrent.Tensors;

namespace Recurrent.Optimizers;

/// <summary>
/// Base of the gradient-descent optimizers: applies one update per <see cref="Step"/> with the current
/// <see cref="LearningRate"/>, and owns per-parameter state tensors ("slots") that checkpoints save and restore.
/// </summary>
/// <remarks>
/// Slots are created, zero-filled (or at <see cref="SlotInitialValue"/>), the first time a parameter is seen
/// and are matched to parameters by reference afterwards. Each is named <c>{parameter.Name}/{slot}</c>
/// (e.g. <c>embedding.weight/m</c>), like TensorFlow's slot variables. Updates are element-wise and run in a
/// fixed order, so restoring <see cref="StateTensors"/> and <see cref="StepCount"/> continues a run bit-identically.
/// </remarks>
internal abstract class Optimizer
{
    private readonly Dictionary<Parameter, Tensor[]> _slots = new();
    private readonly List<(string Name, Tensor Value)> _state = new();
    private float _learningRate;

    protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>Step size used by the next <see cref="Step"/>; schedules set it between epochs.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value), $"Learning rate {value} is not a finite non-negative number.");
            _learningRate = value;
        }
    }

    /// <summary>Number of steps taken (Adam's bias correction uses it); restored from checkpoints.</summary>
    public long StepCount { get; private set; }

    /// <summary>All state tensors in the order their parameters were first seen, with their checkpoint names.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> StateTensors => _state;

    /// <summary>Names of the per-parameter slots, e.g. <c>["m", "v"]</c>; empty for plain SGD.</summary>
    protected abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Value a fresh slot starts at (0 by default).</summary>
    protected virtual float SlotInitialValue(int slot) => 0f;

    /// <summary>Applies one update to every parameter from its accumulated gradient.</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        EnsureState(parameters);
        StepCount++;
        for (int i = 0; i < parameters.Count; i++)
            Update(parameters[i], _slots[parameters[i]]);
    }

    /// <summary>Updates one parameter; <paramref name="slots"/> follows <see cref="SlotNames"/>. <see cref="StepCount"/> already counts this step.</summary>
    protected abstract void Update(Parameter parameter, Tensor[] slots);

    /// <summary>Creates the slots of parameters not seen before (so that <see cref="StateTensors"/> is complete before the first step).</summary>
    public void EnsureState(IReadOnlyList<Parameter> parameters)
    {
        IReadOnlyList<string> names = SlotNames;
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter p = parameters[i];
            if (_slots.ContainsKey(p)) continue;
            var slots = new Tensor[names.Count];
            for (int s = 0; s < slots.Length; s++)
            {
                slots[s] = new Tensor(p.Value.Shape);
                float init = SlotInitialValue(s);
                if (init != 0) slots[s].Fill(init);
                _state.Add(($"{p.Name}/{names[s]}", slots[s]));
            }
            _slots.Add(p, slots);
        }
    }

    /// <summary>
    /// Restores state saved from <see cref="StateTensors"/> and <see cref="StepCount"/>. Every slot of
    /// <paramref name="parameters"/> must be present with the same shape and no unknown names may remain.
    /// </summary>
    /// <exception cref="RecurrentException">The saved state does not match this optimizer and these parameters.</exception>
    public void LoadState(IReadOnlyList<Parameter> parameters, IReadOnlyList<(string Name, Tensor Value)> state, long stepCount)
    {
        if (stepCount < 0) throw new RecurrentException($"Optimizer step count {stepCount} in the checkpoint is negative.");
        EnsureState(parameters);
        var saved = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string name, Tensor value) in state)
            if (!saved.TryAdd(name, value))
                throw new RecurrentException($"Optimizer state '{name}' appears twice in the checkpoint.");
        foreach ((string name, Tensor value) in _state)
        {
            if (!saved.Remove(name, out Tensor? source))
                throw new RecurrentException($"Optimizer state '{name}' is missing from the checkpoint (was it saved with another optimizer?).");
            if (!source.SameShape(value))
                throw new RecurrentException($"Optimizer state '{name}' has shape {source} in the checkpoint but {value} in the model.");
            source.Span.CopyTo(value.Span);
        }
        if (saved.Count > 0)
            throw new RecurrentException($"The checkpoint has optimizer state '{saved.Keys.First()}' that {GetType().Name} does not use.");
        StepCount = stepCount;
    }
}
