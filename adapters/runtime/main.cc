#include <cstdio>
int main() { std::puts("dixian"); return 0; }
