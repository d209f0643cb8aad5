import Foundation

/// Names the calling thread as the kernel sees it (`ps -L`, `top -H`, gdb), so siftd's own
/// threads are told apart. Foundation's `Thread.name` does not do it reliably on Linux: set
/// before `start()` it never reaches the kernel, and set from inside it races with `start()`
/// (the thread would keep its creator's name). The kernel keeps 15 bytes.
enum ThreadName {
    static func setCurrent(_ name: String) {
        _ = pthreadSetName(pthread_self(), String(name.utf8.prefix(15))!)
    }
}

/// glibc's pthread_setname_np(3), which Swift's Glibc module does not export.
@_silgen_name("pthread_setname_np")
private func pthreadSetName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
