using System.Runtime.InteropServices;

namespace Cauchy.Torch;

// The P/Invoke surface of native/cauchy_torch.h. Every call returns a status; Check turns a failure into a
// TorchException carrying libtorch's own message, so callers never see raw status codes.
internal static partial class NativeMethods
{
    private const string Library = "cauchy_torch";

    internal static void Check(int status)
    {
        if (status != 0)
        {
            // The message lives in thread-local storage on the native side: read it before anything else
            // on this thread can call into the shim again.
            string message = Marshal.PtrToStringUTF8(cauchy_last_error()) ?? "unknown native error";
            throw new TorchException(message, status);
        }
    }

    [LibraryImport(Library)]
    internal static partial nint cauchy_last_error();

    [LibraryImport(Library)]
    internal static partial int cauchy_malloc_tuned();

    [LibraryImport(Library)]
    internal static partial int cauchy_set_num_threads(int n);

    [LibraryImport(Library)]
    internal static partial int cauchy_get_num_threads(out int n);

    [LibraryImport(Library)]
    internal static partial int cauchy_manual_seed(ulong seed);

    [LibraryImport(Library)]
    internal static partial int cauchy_cuda_is_available(out int available);

    [LibraryImport(Library)]
    internal static partial int cauchy_cuda_device_count(out int count);

    [LibraryImport(Library)]
    internal static partial int cauchy_cuda_synchronize(int device);

    [LibraryImport(Library)]
    internal static unsafe partial int cauchy_cuda_get_device_properties(int device, byte* name, int nameCapacity, out long totalMemory, out int major, out int minor, out int multiProcessorCount);

    [LibraryImport(Library)]
    internal static partial int cauchy_cuda_mem_get_info(int device, out long freeBytes, out long totalBytes);

    [LibraryImport(Library)]
    internal static partial int cauchy_set_grad_enabled(int enabled);

    [LibraryImport(Library)]
    internal static partial int cauchy_is_grad_enabled(out int enabled);

    [LibraryImport(Library)]
    internal static partial void cauchy_tensor_free(nint tensor);

    [LibraryImport(Library)]
    internal static unsafe partial int cauchy_tensor_from_data(void* data, long nbytes, long[] shape, int ndim, int dtype, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_zeros(long[] shape, int ndim, int dtype, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_ones(long[] shape, int ndim, int dtype, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_randn(long[] shape, int ndim, int dtype, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_arange(double start, double end, double step, int dtype, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_ndim(TensorHandle tensor, out int ndim);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_shape(TensorHandle tensor, [Out] long[] shape, int capacity);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_numel(TensorHandle tensor, out long numel);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_dtype(TensorHandle tensor, out int dtype);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_device(TensorHandle tensor, out int type, out int index);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_to_dtype(TensorHandle tensor, int dtype, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_to_device(TensorHandle tensor, int deviceType, int index, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_detach(TensorHandle tensor, out TensorHandle result);

    [LibraryImport(Library)]
    internal static unsafe partial int cauchy_tensor_copy_to_host(TensorHandle tensor, void* destination, long nbytes);

    [LibraryImport(Library)]
    internal static unsafe partial int cauchy_tensor_item(TensorHandle tensor, int dtype, void* value);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_classification_hits(TensorHandle logits, TensorHandle labels, long k, out long count, out long top1, out long topk);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_add(TensorHandle a, TensorHandle b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_sub(TensorHandle a, TensorHandle b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_mul(TensorHandle a, TensorHandle b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_div(TensorHandle a, TensorHandle b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_add_scalar(TensorHandle a, double b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_mul_scalar(TensorHandle a, double b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_matmul(TensorHandle a, TensorHandle b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_neg(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_sum(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_mean(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_sum_dim(TensorHandle a, long dim, int keepdim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_mean_dim(TensorHandle a, long dim, int keepdim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_argmax(TensorHandle a, long dim, int keepdim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_select(TensorHandle a, long dim, long index, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_narrow(TensorHandle a, long dim, long start, long length, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_relu(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_reshape(TensorHandle a, long[] shape, int ndim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_view(TensorHandle a, long[] shape, int ndim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_set_requires_grad(TensorHandle tensor, int requiresGrad);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_requires_grad(TensorHandle tensor, out int requiresGrad);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_backward(TensorHandle tensor);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_grad(TensorHandle tensor, out TensorHandle grad);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_cat(nint[] tensors, int count, long dim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_stack(nint[] tensors, int count, long dim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_flatten(TensorHandle a, long startDim, long endDim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_permute(TensorHandle a, long[] dims, int ndim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_transpose(TensorHandle a, long dim0, long dim1, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_unsqueeze(TensorHandle a, long dim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_squeeze(TensorHandle a, long dim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_contiguous(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_alias(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_clone(TensorHandle a, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_unary(TensorHandle a, int op, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_div_scalar(TensorHandle a, double b, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_pow_scalar(TensorHandle a, double exponent, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_clamp(TensorHandle a, int hasMin, double min, int hasMax, double max, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_softmax(TensorHandle a, long dim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_log_softmax(TensorHandle a, long dim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_sum_dims(TensorHandle a, long[] dims, int ndims, int keepdim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_mean_dims(TensorHandle a, long[] dims, int ndims, int keepdim, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_topk(TensorHandle a, long k, long dim, int largest, int sorted, out TensorHandle values, out TensorHandle indices);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_compare(TensorHandle a, TensorHandle b, int op, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_compare_scalar(TensorHandle a, double b, int op, out TensorHandle result);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_equal(TensorHandle a, TensorHandle b, out int equal);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_allclose(TensorHandle a, TensorHandle b, double rtol, double atol, out int close);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_copy_(TensorHandle self, TensorHandle source);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_add_(TensorHandle self, TensorHandle other);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_zero_(TensorHandle self);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_fill_(TensorHandle self, double value);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_set_data(TensorHandle self, TensorHandle source);

    [LibraryImport(Library)]
    internal static partial int cauchy_tensor_zero_grad(TensorHandle self, int setToNone);
}
