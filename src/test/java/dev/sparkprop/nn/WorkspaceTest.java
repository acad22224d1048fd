package dev.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The per-thread workspace cache that lets executors reuse buffers across epochs. */
class WorkspaceTest {
  private static final NetworkSpec NET = NetworkSpec.of(new int[] {784, 16, 3},
      Activation.SIGMOID, Activation.SOFTMAX, Loss.CROSS_ENTROPY);

  @Test
  void forThread_sameNetworkAgain_reusesAndGrows() {
    Workspace a = Workspace.forThread(NET, 100);
    Workspace b = Workspace.forThread(NetworkSpec.of(new int[] {784, 16, 3},
        Activation.SIGMOID, Activation.SOFTMAX, Loss.CROSS_ENTROPY), 300);
    assertSame(a, b);
    assertEquals(300, b.capacity());
  }

  @Test
  void forThread_otherNetwork_replacesIt() {
    Workspace a = Workspace.forThread(NET, 10);
    NetworkSpec other = NetworkSpec.of(new int[] {784, 17, 3}, Activation.SIGMOID,
        Activation.SOFTMAX, Loss.CROSS_ENTROPY);
    Workspace b = Workspace.forThread(other, 10);
    assertNotSame(a, b);
    assertSame(b, Workspace.forThread(other, 10));
  }

  @Test
  void forThread_otherThread_getsItsOwn() throws InterruptedException {
    Workspace mine = Workspace.forThread(NET, 10);
    AtomicReference<Workspace> theirs = new AtomicReference<>();
    Thread t = new Thread(() -> theirs.set(Workspace.forThread(NET, 10)));
    t.start();
    t.join();
    assertNotSame(mine, theirs.get());
  }

  @Test
  void deltas_sizedByWidestOutputNotInput() {
    Workspace ws = new Workspace(NET, 10);
    assertEquals(16 * 10, ws.deltaA.length);
    assertEquals(16 * 10, ws.deltaB.length);
  }
}
